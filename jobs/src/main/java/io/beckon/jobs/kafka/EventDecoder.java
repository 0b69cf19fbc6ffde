package io.beckon.jobs.kafka;

import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.EventValidator;
import io.beckon.engine.event.ReceivedClock;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import io.beckon.schema.DeadLetter;
import io.beckon.schema.internal.Ingested;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Decodes the {@code events} topic: wire format, writer schema looked up by id in the registry,
 * then the same validation as replay. Anything that fails becomes a dead letter carrying the
 * original bytes and the reason; nothing is dropped and nothing stops the job. Only an unreachable
 * registry is an error (the job restarts and retries rather than dead-lettering good data).
 */
public class EventDecoder extends RegistryDecoder<Ingested> {
  private static final long serialVersionUID = 1L;

  private final ReceivedClock clock;

  public EventDecoder(
      String registryUrl, Map<String, String> registryProperties, ReceivedClock clock) {
    super(registryUrl, registryProperties);
    this.clock = clock;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out)
      throws java.io.IOException {
    try {
      ReceivedClock.Verdict verdict = clock.judge(decode(record.value()), receivedAt(record));
      if (!verdict.ok()) {
        throw new WireFormat.MalformedRecordException(verdict.error());
      }
      out.collect(Ingested.newBuilder().setEvent(AvroEvents.toAvro(verdict.event())).build());
    } catch (WireFormat.MalformedRecordException e) {
      out.collect(Ingested.newBuilder().setDeadLetter(deadLetter(record, e.getMessage())).build());
    }
  }

  /** R of §2: the record's Kafka timestamp (CreateTime or LogAppendTime), if it has one. */
  private static Long receivedAt(ConsumerRecord<byte[], byte[]> record) {
    return record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE || record.timestamp() < 0
        ? null
        : record.timestamp();
  }

  private UserEvent decode(byte[] value) throws java.io.IOException {
    GenericRecord generic = WireFormat.decode(value, writerSchemas.of(value));
    Map<String, Object> view = new LinkedHashMap<>();
    for (Schema.Field field : generic.getSchema().getFields()) {
      view.put(field.name(), toValue(generic.get(field.name())));
    }
    Object properties = view.get("properties");
    if (properties instanceof String json) {
      try {
        view.put("properties", Json.parse(json));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new WireFormat.MalformedRecordException(
            "'properties' is not valid JSON: " + e.getOriginalMessage());
      }
    }
    EventValidator.Result result = EventValidator.validate(view, eventTime(view.get("time")));
    if (!result.ok()) {
      throw new WireFormat.MalformedRecordException(result.error());
    }
    return result.event();
  }

  private static long eventTime(Object time) {
    if (time instanceof Long millis) {
      return millis;
    }
    if (time instanceof String text) {
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new WireFormat.MalformedRecordException(
            "'time' is not an ISO-8601 UTC timestamp: '" + text + "'");
      }
    }
    throw new WireFormat.MalformedRecordException(
        time == null
            ? "missing required field 'time'"
            : "'time' must be timestamp-millis or an ISO-8601 string");
  }

  /** Generic Avro data to the value model (Utf8 to String, ints widened, records to maps). */
  private static Object toValue(Object avro) {
    if (avro instanceof Utf8 || avro instanceof CharSequence) {
      return avro.toString();
    }
    if (avro instanceof Integer i) {
      return i.longValue();
    }
    if (avro instanceof Float f) {
      return f.doubleValue();
    }
    if (avro instanceof GenericRecord r) {
      Map<String, Object> map = new LinkedHashMap<>();
      r.getSchema().getFields().forEach(f -> map.put(f.name(), toValue(r.get(f.name()))));
      return map;
    }
    if (avro instanceof Map<?, ?> m) {
      Map<String, Object> map = new LinkedHashMap<>();
      m.forEach((k, v) -> map.put(k.toString(), toValue(v)));
      return map;
    }
    if (avro instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(toValue(v)));
      return out;
    }
    if (avro instanceof ByteBuffer || avro instanceof org.apache.avro.generic.GenericFixed) {
      return null;
    }
    return avro;
  }

  static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
    return DeadLetter.newBuilder()
        .setTopic(record.topic())
        .setPartition(record.partition())
        .setOffset(record.offset())
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setReason(reason)
        .build();
  }

  @Override
  public TypeInformation<Ingested> getProducedType() {
    return new AvroTypeInfo<>(Ingested.class);
  }
}
