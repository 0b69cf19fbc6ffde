package io.beckon.jobs.kafka;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;

/**
 * Writer schemas of wire-format records, looked up by id in the registry once and cached. An id the
 * registry does not know makes the record malformed; any other registry failure is an {@link
 * IOException} (the caller should fail and retry rather than call good data bad).
 */
public final class WriterSchemas {
  private final SchemaRegistryClient registry;
  private final Map<Integer, Schema> cache = new HashMap<>();

  public WriterSchemas(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  /** The writer schema of a framed value. */
  public Schema of(byte[] framedValue) throws IOException {
    int id = WireFormat.schemaId(framedValue);
    Schema schema = cache.get(id);
    if (schema == null) {
      try {
        schema = new Schema.Parser().parse(registry.getSchemaById(id).canonicalString());
      } catch (RestClientException e) {
        if (e.getStatus() == 404) {
          throw new WireFormat.MalformedRecordException(
              "unknown schema id " + id + " (not in the registry)");
        }
        throw new IOException("schema registry error for id " + id + ": " + e.getMessage(), e);
      }
      cache.put(id, schema);
    }
    return schema;
  }

  /** Decodes a framed value into a generated class. */
  public <T extends SpecificRecord> T decode(byte[] framedValue, Class<T> type) throws IOException {
    return WireFormat.decode(framedValue, of(framedValue), type);
  }
}
