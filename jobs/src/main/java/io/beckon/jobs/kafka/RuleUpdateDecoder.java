package io.beckon.jobs.kafka;

import io.beckon.schema.RuleRecord;
import io.beckon.schema.internal.RuleUpdate;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes the compacted {@code rules} topic: key = rule id, value = {@link RuleRecord} in the wire
 * format, null value = tombstone. A record that cannot be decoded still reaches the engine, with
 * the reason, so it is rejected visibly rather than dropped.
 */
public class RuleUpdateDecoder extends RegistryDecoder<RuleUpdate> {
  private static final long serialVersionUID = 1L;

  public RuleUpdateDecoder(String registryUrl, Map<String, String> registryProperties) {
    super(registryUrl, registryProperties);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RuleUpdate> out)
      throws java.io.IOException {
    RuleUpdate.Builder update =
        RuleUpdate.newBuilder()
            .setRuleId(record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8))
            .setPartition(record.partition())
            .setOffset(record.offset());
    if (record.key() == null) {
      update.setError("a rule record needs the rule id as its key");
    } else if (record.value() != null) {
      try {
        update.setRecord(writerSchemas.decode(record.value(), RuleRecord.class));
      } catch (WireFormat.MalformedRecordException e) {
        update.setError(e.getMessage());
      }
    }
    out.collect(update.build());
  }

  @Override
  public TypeInformation<RuleUpdate> getProducedType() {
    return new AvroTypeInfo<>(RuleUpdate.class);
  }
}
