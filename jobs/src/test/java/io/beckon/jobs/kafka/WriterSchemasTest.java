package io.beckon.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.ParsedSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.MockSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.junit.jupiter.api.Test;

/** Registry look-ups: one per id, also for ids the registry does not know (for a while). */
class WriterSchemasTest {
  /** The in-memory registry, counting look-ups by id. */
  static final class CountingRegistry extends MockSchemaRegistryClient {
    int lookUps;

    @Override
    public ParsedSchema getSchemaById(int id) throws IOException, RestClientException {
      lookUps++;
      return super.getSchemaById(id);
    }
  }

  private static byte[] framed(int id) {
    return new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id, 2};
  }

  @Test
  void aFloodOfRecordsWithAnUnknownIdAsksTheRegistryOnce() throws Exception {
    CountingRegistry registry = new CountingRegistry();
    WriterSchemas schemas = new WriterSchemas(registry);
    for (int i = 0; i < 1_000; i++) {
      var e =
          assertThrows(WireFormat.MalformedRecordException.class, () -> schemas.of(framed(4711)));
      assertEquals("unknown schema id 4711 (not in the registry)", e.getMessage());
    }
    assertEquals(1, registry.lookUps);
  }

  @Test
  void aKnownIdIsLookedUpOnce() throws Exception {
    CountingRegistry registry = new CountingRegistry();
    int id =
        registry.register(
            "s-value", new AvroSchema("{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}"));
    WriterSchemas schemas = new WriterSchemas(registry);
    for (int i = 0; i < 100; i++) {
      assertEquals("R", schemas.of(framed(id)).getName());
    }
    assertEquals(1, registry.lookUps);
  }
}
