package io.beckon.jobs.kafka;

import static io.beckon.jobs.kafka.WireFormat.WRITE_TIME;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes Avro records to a topic in the Confluent wire format, keyed by user id (UTF-8). The value
 * schema is registered under the {@code <topic>-value} subject when the sink opens, so consumers in
 * any language resolve it through the registry.
 */
public class AvroRecordSerializer<T extends SpecificRecord>
    implements KafkaRecordSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  /** Extracts the record key. */
  @FunctionalInterface
  public interface KeyOf<T> extends Serializable {
    String key(T record);
  }

  private final String topic;
  private final String registryUrl;
  private final HashMap<String, String> registryProperties;
  private final String schemaJson;
  private final KeyOf<T> keyOf;
  private transient int schemaId;

  public AvroRecordSerializer(
      String topic,
      String registryUrl,
      Map<String, String> registryProperties,
      org.apache.avro.Schema schema,
      KeyOf<T> keyOf) {
    this.topic = topic;
    this.registryUrl = registryUrl;
    this.registryProperties = new HashMap<>(registryProperties);
    this.schemaJson = schema.toString();
    this.keyOf = keyOf;
  }

  @Override
  public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
      throws Exception {
    schemaId =
        RegistryClients.register(
            RegistryClients.create(registryUrl, registryProperties),
            topic + "-value",
            new AvroSchema(schemaJson));
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T record, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(
        topic,
        null,
        WRITE_TIME,
        keyOf.key(record).getBytes(StandardCharsets.UTF_8),
        WireFormat.encode(schemaId, record));
  }
}
