package io.beckon.jobs.kafka;

import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.EventValidator;
import io.beckon.engine.event.ReceivedClock;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import io.beckon.schema.DeadLetter;
import io.beckon.schema.internal.Ingested;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** Fields of the Event a writer schema must have, and the Avro types each may be read from. */
  private static final Map<String, Set<Schema.Type>> EVENT_FIELDS =
      Map.of(
          "event_id", EnumSet.of(Schema.Type.STRING, Schema.Type.ENUM),
          "user_id", EnumSet.of(Schema.Type.STRING, Schema.Type.ENUM),
          "type", EnumSet.of(Schema.Type.STRING, Schema.Type.ENUM),
          "time", EnumSet.of(Schema.Type.LONG, Schema.Type.INT, Schema.Type.STRING));

  private static final Set<Schema.Type> PROPERTIES_TYPES =
      EnumSet.of(Schema.Type.STRING, Schema.Type.MAP, Schema.Type.RECORD);

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out)
      throws java.io.IOException {
    String reason;
    try {
      ReceivedClock.Verdict verdict = clock.judge(decode(record.value()), receivedAt(record));
      if (!verdict.ok()) {
        throw new WireFormat.MalformedRecordException(verdict.error());
      }
      out.collect(Ingested.newBuilder().setEvent(AvroEvents.toAvro(verdict.event())).build());
      return;
    } catch (WireFormat.MalformedRecordException e) {
      reason = e.getMessage();
    } catch (RuntimeException e) {
      // A record that breaks the decoder in a way not foreseen above is still only one bad record:
      // it must not fail the task, which would then fail on it again after every restart.
      reason = "cannot decode: " + e;
    }
    out.collect(Ingested.newBuilder().setDeadLetter(deadLetter(record, reason)).build());
  }

  /** Refuses, once per schema id, writer schemas whose records could never be an Event. */
  @Override
  protected String checkSchema(Schema writerSchema) {
    for (String name : List.of("event_id", "user_id", "type", "time", "properties")) {
      Schema.Field field = writerSchema.getField(name);
      Set<Schema.Type> allowed = EVENT_FIELDS.getOrDefault(name, PROPERTIES_TYPES);
      if (field == null) {
        if (EVENT_FIELDS.containsKey(name)) {
          return "has no field '" + name + "'";
        }
        continue;
      }
      List<Schema> branches =
          field.schema().isUnion() ? field.schema().getTypes() : List.of(field.schema());
      boolean readable = branches.stream().anyMatch(b -> b.getType() != Schema.Type.NULL);
      for (Schema branch : branches) {
        readable &= branch.getType() == Schema.Type.NULL || allowed.contains(branch.getType());
      }
      if (!readable) {
        return "has field '"
            + name
            + "' of type "
            + field.schema()
            + ", which cannot be read as "
            + allowed.stream()
                .map(t -> t.getName())
                .collect(java.util.stream.Collectors.joining(" or "));
      }
    }
    return null;
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
            "'properties' is not valid JSON: " + Json.problem(e));
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
        return EventValidator.isoMillis(text);
      } catch (IllegalArgumentException e) {
        throw new WireFormat.MalformedRecordException(e.getMessage());
      }
    }
    throw new WireFormat.MalformedRecordException(
        time == null
            ? "missing required field 'time'"
            : "'time' must be timestamp-millis or an ISO-8601 string");
  }

  /** Generic Avro data to the value model (Utf8 to String, ints widened, records to maps). */
  private static Object toValue(Object avro) {
    if (avro instanceof Utf8
        || avro instanceof CharSequence
        || avro instanceof org.apache.avro.generic.GenericEnumSymbol<?>) {
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
        .setReason(DeadLetterSerializer.capReason(reason))
        .build();
  }

  @Override
  public TypeInformation<Ingested> getProducedType() {
    return new AvroTypeInfo<>(Ingested.class);
  }
}
