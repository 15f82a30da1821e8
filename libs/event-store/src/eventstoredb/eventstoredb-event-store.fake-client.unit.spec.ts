import { describeEventStoreConformance } from '../conformance';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { FakeEventStoreDbClient } from './fake-eventstoredb-client';

/*
 * The whole conformance suite through the adapter, against the in-memory fake of the client (see
 * fake-eventstoredb-client.ts for the server behaviour it models). Checks the adapter's own logic without a server;
 * eventstoredb-event-store.conformance.int.spec.ts runs the same suite against a real EventStoreDB.
 */
describeEventStoreConformance('EventStoreDB adapter over an in-memory fake client', async () => {
  const store = new EventStoreDbEventStore(new FakeEventStoreDbClient().asClient(), { disposeClientOnClose: true, maxPageSize: 16 });
  return { store, teardown: () => store.close() };
});
