package io.beckon.jobs.functions;

import io.beckon.schema.Event;
import io.beckon.schema.Suppression;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.EngineClock;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * Every keyed state descriptor and output tag of the engagement job, in one place. State names are
 * part of the savepoint format: rename only with a state migration. State types are Avro records,
 * so they evolve by Avro's schema resolution across upgrades.
 */
public final class StateNames {
  private StateNames() {}

  /** Counters, timestamps and reachability; rewritten by most events but small. */
  public static ValueStateDescriptor<ProfileState> profile() {
    return new ValueStateDescriptor<>("profile", new AvroTypeInfo<>(ProfileState.class));
  }

  /** The cart, apart from the profile: cart events touch only this. */
  public static ValueStateDescriptor<CartState> cart() {
    return new ValueStateDescriptor<>("cart", new AvroTypeInfo<>(CartState.class));
  }

  /** Pending fires and the fire history; absent for users with nothing pending. */
  public static ValueStateDescriptor<TriggerState> triggers() {
    return new ValueStateDescriptor<>("triggers", new AvroTypeInfo<>(TriggerState.class));
  }

  /** Custom attributes, one entry each (JSON text), so setting one does not rewrite the rest. */
  public static MapStateDescriptor<String, String> attributes() {
    return new MapStateDescriptor<>("attributes", Types.STRING, Types.STRING);
  }

  /**
   * "time event_id" of the user's last erasure: kept when everything else is deleted, so late
   * events of the erased life cannot bring data back. No personal data but the key itself.
   */
  public static ValueStateDescriptor<String> erasure() {
    return new ValueStateDescriptor<>("erasure", Types.STRING);
  }

  /** event_id -> event time of accepted events of the last 24 h, for deduplication. */
  public static MapStateDescriptor<String, Long> seenEvents() {
    return new MapStateDescriptor<>("seen-events", Types.STRING, Types.LONG);
  }

  /** Events waiting for the watermark, by event time: they are applied in time order. */
  public static MapStateDescriptor<Long, java.util.List<Event>> buffer() {
    return new MapStateDescriptor<>(
        "event-buffer", Types.LONG, new ListTypeInfo<>(new AvroTypeInfo<>(Event.class)));
  }

  /** Broadcast (operator) state: rule id -> the accepted record in force. */
  public static final MapStateDescriptor<String, io.beckon.schema.RuleRecord> RULES =
      new MapStateDescriptor<>(
          "rules-in-force", Types.STRING, new AvroTypeInfo<>(io.beckon.schema.RuleRecord.class));

  /** Broadcast (operator) state: whether the rules topic was read up to its end once. */
  public static final MapStateDescriptor<String, Long> RULES_PROGRESS =
      new MapStateDescriptor<>("rules-progress", Types.STRING, Types.LONG);

  /** Union (operator) state: the engine's watermark as of the checkpoint, see EngineClock. */
  public static final ListStateDescriptor<EngineClock> ENGINE_CLOCK =
      new ListStateDescriptor<>("engine-clock", new AvroTypeInfo<>(EngineClock.class));

  public static final OutputTag<io.beckon.schema.RuleRejection> RULE_REJECTIONS =
      new OutputTag<>("rules-rejected", new AvroTypeInfo<>(io.beckon.schema.RuleRejection.class));

  public static final OutputTag<Suppression> SUPPRESSIONS =
      new OutputTag<>("send-suppressions", new AvroTypeInfo<>(Suppression.class));

  public static final OutputTag<Event> LATE_EVENTS =
      new OutputTag<>("events-late", new AvroTypeInfo<>(Event.class));

  public static final OutputTag<io.beckon.schema.DeadLetter> DEAD_LETTERS =
      new OutputTag<>("events-dlq", new AvroTypeInfo<>(io.beckon.schema.DeadLetter.class));

  /**
   * Events the engine found malformed for a per-user limit (contract section 1), as dead letters.
   */
  public static final OutputTag<io.beckon.schema.DeadLetter> REJECTED_EVENTS =
      new OutputTag<>("events-rejected", new AvroTypeInfo<>(io.beckon.schema.DeadLetter.class));
}
