import { describeEventStoreConformance } from '../conformance';
import { createPostgresFixture } from './postgres-fixture';

describeEventStoreConformance('PostgreSQL', createPostgresFixture);
