package io.beckon.jobs.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;

/**
 * A Kafka deserializer of wire-format records: carries the registry settings to the task and opens
 * the writer-schema cache there.
 */
abstract class RegistryDecoder<T> implements KafkaRecordDeserializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final String registryUrl;
  private final HashMap<String, String> registryProperties;
  protected transient WriterSchemas writerSchemas;

  RegistryDecoder(String registryUrl, Map<String, String> registryProperties) {
    this.registryUrl = registryUrl;
    this.registryProperties = new HashMap<>(registryProperties);
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    RegistryClients.Connection registry = RegistryClients.connect(registryUrl, registryProperties);
    writerSchemas = new WriterSchemas(registry.client(), registry.rest(), this::checkSchema);
  }

  /**
   * Why records written with this record schema cannot be read, completing "schema id N (name)
   * ...", or null. Asked once per schema id.
   */
  protected String checkSchema(Schema writerSchema) {
    return null;
  }
}
