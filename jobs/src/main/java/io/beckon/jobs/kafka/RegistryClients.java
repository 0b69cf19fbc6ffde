package io.beckon.jobs.kafka;

import java.util.Map;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.RestService;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.testutil.MockSchemaRegistry;

/**
 * Creates Confluent Schema Registry clients. The client is the real Confluent one, relocated inside
 * Flink's registry bundle; Avro data itself is handled with the project's own Avro (see {@link
 * WireFormat}), so only schema text crosses between the two.
 */
public final class RegistryClients {
  private static final int CACHE_CAPACITY = 1000;
  private static final String MOCK_PREFIX = "mock://";

  private RegistryClients() {}

  /**
   * Registers a schema (idempotent) and returns its id. Parallel sink writers register the same
   * schema at once when a job starts; some registries answer all but one of them with 409
   * (conflict), so a conflict is answered by looking the id up, with a few retries.
   */
  public static int register(SchemaRegistryClient client, String subject, AvroSchema schema)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.register(subject, schema);
      } catch (RestClientException e) {
        if (e.getStatus() != 409 || attempt >= 5) {
          throw e;
        }
        try {
          return client.getId(subject, schema);
        } catch (RestClientException notYet) {
          Thread.sleep(100L * attempt);
        }
      }
    }
  }

  /**
   * A client for {@code url}; {@code mock://scope} gives the in-memory registry of that scope (unit
   * tests only). {@code properties} are client settings such as {@code
   * basic.auth.credentials.source}.
   */
  public static SchemaRegistryClient create(String url, Map<String, String> properties) {
    return connect(url, properties).client();
  }

  /**
   * A client and the REST service under it, configured alike (auth, TLS). The REST service answers
   * for schemas of any type; the client only parses the types it has providers for (Avro), and
   * would answer an id of a JSON or Protobuf schema with the same {@code IOException} as a network
   * failure. {@code rest} is null for {@code mock://} registries.
   */
  public static Connection connect(String url, Map<String, String> properties) {
    if (url.startsWith(MOCK_PREFIX)) {
      return new Connection(
          MockSchemaRegistry.getClientForScope(url.substring(MOCK_PREFIX.length())), null);
    }
    RestService rest = new RestService(url);
    return new Connection(new CachedSchemaRegistryClient(rest, CACHE_CAPACITY, properties), rest);
  }

  /** See {@link #connect}. */
  public record Connection(SchemaRegistryClient client, RestService rest) {}
}
