package io.beckon.jobs.kafka;

import io.beckon.engine.rules.RuleLimits;
import io.beckon.jobs.rules.RuleUpdates;
import io.beckon.schema.PoliciesRecord;
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
 * the reason, so it is rejected visibly rather than dropped: no byte sequence makes this throw (a
 * record past {@link RuleLimits#RECORD_BYTES} is not even decoded). Only a registry that cannot be
 * reached fails the task (it is retried), since a transient outage must not reject a good rule.
 */
public class RuleUpdateDecoder extends RegistryDecoder<RuleUpdate> {
  private static final long serialVersionUID = 1L;

  private final String policiesTopic;

  /**
   * @param policiesTopic records of this topic are policies ({@link PoliciesRecord}); of any other,
   *     rules
   */
  public RuleUpdateDecoder(
      String registryUrl, Map<String, String> registryProperties, String policiesTopic) {
    super(registryUrl, registryProperties);
    this.policiesTopic = policiesTopic;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RuleUpdate> out)
      throws java.io.IOException {
    out.collect(
        record.topic().equals(policiesTopic)
            ? decodePolicies(record, writerSchemas)
            : decode(record, writerSchemas));
  }

  /**
   * A record of the policies topic: the one key is {@code policies}; as for rules, an undecodable
   * record reaches the engine with the reason and is rejected there, never applied.
   */
  static RuleUpdate decodePolicies(
      ConsumerRecord<byte[], byte[]> record, WriterSchemas writerSchemas)
      throws java.io.IOException {
    RuleUpdate.Builder update = start(record).setPolicies(true);
    if (record.key() == null || !RuleUpdates.POLICIES_KEY.equals(update.getRuleId())) {
      return update
          .setError("the policies topic holds one record, under the key 'policies'")
          .build();
    }
    return decodeValue(
        record.value(),
        "policies",
        bytes -> update.setPoliciesRecord(writerSchemas.decode(bytes, PoliciesRecord.class)),
        update);
  }

  /** The update a record stands for; an undecodable record gives an update with an error. */
  static RuleUpdate decode(ConsumerRecord<byte[], byte[]> record, WriterSchemas writerSchemas)
      throws java.io.IOException {
    RuleUpdate.Builder update = start(record);
    if (record.key() == null) {
      return update.setError("a rule record needs the rule id as its key").build();
    }
    return decodeValue(
        record.value(),
        "rule",
        bytes -> update.setRecord(writerSchemas.decode(bytes, RuleRecord.class)),
        update);
  }

  private static RuleUpdate.Builder start(ConsumerRecord<byte[], byte[]> record) {
    byte[] key = record.key();
    return RuleUpdate.newBuilder()
        .setRuleId(key == null ? "" : new String(key, StandardCharsets.UTF_8))
        .setPartition(record.partition())
        .setOffset(record.offset());
  }

  /** Decodes the value into {@code update}; a null value is a tombstone and is left unset. */
  private interface ValueDecoder {
    void decode(byte[] value) throws java.io.IOException;
  }

  private static RuleUpdate decodeValue(
      byte[] value, String what, ValueDecoder decoder, RuleUpdate.Builder update)
      throws java.io.IOException {
    if (value != null && value.length > RuleLimits.RECORD_BYTES) {
      update.setError(
          "the record is "
              + value.length
              + " bytes; a "
              + what
              + " record may be at most "
              + RuleLimits.RECORD_BYTES
              + " bytes (1 MiB)");
    } else if (value != null) {
      try {
        decoder.decode(value);
      } catch (WireFormat.MalformedRecordException e) {
        update.setError(String.valueOf(e.getMessage()));
      } catch (RuntimeException e) {
        // E.g. a writer schema that is not Avro: whatever it is, the record is unreadable. An
        // error is always set, or the update would read as a tombstone and delete the record.
        update.setError("cannot decode the " + what + " record: " + e);
      }
    }
    return update.build();
  }

  @Override
  public TypeInformation<RuleUpdate> getProducedType() {
    return new AvroTypeInfo<>(RuleUpdate.class);
  }
}
