package io.beckon.jobs.kafka;

import java.util.Map;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.testutil.MockSchemaRegistry;

/**
 * Creates Confluent Schema Registry clients. The client is the real Confluent one, relocated
 * inside Flink's registry bundle; Avro data itself is handled with the project's own Avro (see
 * {@link WireFormat}), so only schema text crosses between the two.
 */
public final class RegistryClients {
  private static final int CACHE_CAPACITY = 1000;
  private static final String MOCK_PREFIX = "mock://";

  private RegistryClients() {}

  /**
   * A client for {@code url}; {@code mock://scope} gives the in-memory registry of that scope
   * (unit tests only). {@code properties} are client settings such as
   * {@code basic.auth.credentials.source}.
   */
  public static SchemaRegistryClient create(String url, Map<String, String> properties) {
    if (url.startsWith(MOCK_PREFIX)) {
      return MockSchemaRegistry.getClientForScope(url.substring(MOCK_PREFIX.length()));
    }
    return new CachedSchemaRegistryClient(url, CACHE_CAPACITY, properties);
  }
}
