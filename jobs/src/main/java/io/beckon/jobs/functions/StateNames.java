package io.beckon.jobs.functions;

import io.beckon.schema.Event;
import io.beckon.schema.Suppression;
import io.beckon.schema.state.EngineClock;
import io.beckon.schema.state.UserRecord;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * Every keyed state descriptor and output tag of the engagement job, in one place. State names are
 * part of the savepoint format: rename only with a state migration. State types are Avro records,
 * so they evolve by Avro's schema resolution across upgrades.
 */
public final class StateNames {
  private StateNames() {}

  /** Everything about one user (format 2): see {@link UserRecord} and the operator's cache. */
  public static ValueStateDescriptor<UserRecord> userRecord() {
    return new ValueStateDescriptor<>("user", new AvroTypeInfo<>(UserRecord.class));
  }

  /**
   * Union (operator) state: on-time events waiting for the watermark in the operator's {@link
   * ReorderBuffer}; after a restore each instance keeps those of its key groups.
   */
  public static final ListStateDescriptor<Event> REORDER_BUFFER =
      new ListStateDescriptor<>("reorder-buffer", new AvroTypeInfo<>(Event.class));

  /** Broadcast (operator) state: rule id -> the accepted record in force. */
  public static final MapStateDescriptor<String, io.beckon.schema.RuleRecord> RULES =
      new MapStateDescriptor<>(
          "rules-in-force", Types.STRING, new AvroTypeInfo<>(io.beckon.schema.RuleRecord.class));

  /** Broadcast (operator) state: the accepted policies in force, under the key "policies". */
  public static final MapStateDescriptor<String, io.beckon.schema.PoliciesRecord> POLICIES =
      new MapStateDescriptor<>(
          "policies-in-force",
          Types.STRING,
          new AvroTypeInfo<>(io.beckon.schema.PoliciesRecord.class));

  /**
   * Broadcast (operator) state: how far the rules and policies topics were read, by partition key
   * (see {@link UserEngineOperator}), so loading completes once per job.
   */
  public static final MapStateDescriptor<String, Long> RULES_PROGRESS =
      new MapStateDescriptor<>("rules-progress", Types.STRING, Types.LONG);

  /**
   * Union (operator) state: rule changes that had not reached every user when the checkpoint was
   * taken; after a restore each instance applies them to all its users again.
   */
  public static final ListStateDescriptor<io.beckon.schema.state.PendingSweep> PENDING_SWEEPS =
      new ListStateDescriptor<>(
          "pending-sweeps", new AvroTypeInfo<>(io.beckon.schema.state.PendingSweep.class));

  /** Union (operator) state: the engine's watermark as of the checkpoint, see EngineClock. */
  public static final ListStateDescriptor<EngineClock> ENGINE_CLOCK =
      new ListStateDescriptor<>("engine-clock", new AvroTypeInfo<>(EngineClock.class));

  public static final OutputTag<io.beckon.schema.RuleRejection> RULE_REJECTIONS =
      new OutputTag<>("rules-rejected", new AvroTypeInfo<>(io.beckon.schema.RuleRejection.class));

  public static final OutputTag<io.beckon.schema.Conversion> CONVERSIONS =
      new OutputTag<>("conversions", new AvroTypeInfo<>(io.beckon.schema.Conversion.class));

  public static final OutputTag<io.beckon.schema.JourneyEvent> JOURNEY_EVENTS =
      new OutputTag<>("journey-events", new AvroTypeInfo<>(io.beckon.schema.JourneyEvent.class));

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
