// Pre-resolves the Kafka broker jars (used by .ci/run) so the first Kafka spec does not spend its timeout on Maven.
import { errorMessage, logProgress } from '../host';
import { resolveKafkaJars } from '../kafka-jars';

resolveKafkaJars()
  .then((libsDir) => logProgress(`Kafka jars cached in ${libsDir}`))
  .catch((error: unknown) => {
    logProgress(`failed: ${errorMessage(error)}`);
    process.exit(1);
  });
