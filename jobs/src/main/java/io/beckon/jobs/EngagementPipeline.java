package io.beckon.jobs;

import io.beckon.jobs.functions.EngineSettings;
import io.beckon.jobs.functions.StateNames;
import io.beckon.jobs.functions.UserEngineOperator;
import io.beckon.schema.Conversion;
import io.beckon.schema.DeadLetter;
import io.beckon.schema.Event;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.RuleRejection;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.internal.Ingested;
import io.beckon.schema.internal.RuleUpdate;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Builds the engagement pipeline from a stream of events with event-time watermarks already
 * assigned, and returns its outputs. Sources and sinks are the caller's: Kafka in the job, a
 * JSON-lines file in replay, collections in tests. Operator uids are part of the savepoint format.
 */
public final class EngagementPipeline {

  /** The pipeline's outputs; the caller attaches sinks. */
  public record Outputs(
      DataStream<SendCommand> sendCommands,
      DataStream<Suppression> suppressions,
      DataStream<Conversion> conversions,
      DataStream<JourneyEvent> journeyEvents,
      DataStream<Event> lateEvents,
      DataStream<RuleRejection> ruleRejections,
      DataStream<DeadLetter> quarantined,
      DataStream<DeadLetter> rejectedEvents) {}

  /** Decoded input split into valid events and dead letters. */
  public record Decoded(DataStream<Event> events, DataStream<DeadLetter> deadLetters) {}

  private EngagementPipeline() {}

  /**
   * Keyed by user: profile state, triggers, fires; rule updates broadcast to every instance.
   *
   * @param rulesToLoad progress key of a rules or policies partition ({@link
   *     io.beckon.jobs.rules.RuleUpdates#progressKey}) -> offset of the last update to see before
   *     applying events
   */
  public static Outputs build(
      DataStream<Event> events, DataStream<RuleUpdate> ruleUpdates, Map<String, Long> rulesToLoad) {
    return build(events, ruleUpdates, rulesToLoad, EngineSettings.DEFAULTS);
  }

  /**
   * @param settings the engine's settings from the job configuration
   */
  public static Outputs build(
      DataStream<Event> events,
      DataStream<RuleUpdate> ruleUpdates,
      Map<String, Long> rulesToLoad,
      EngineSettings settings) {
    SingleOutputStreamOperator<SendCommand> sends =
        events
            .keyBy(Event::getUserId)
            .connect(ruleUpdates.broadcast())
            .transform(
                "User engine (profile, triggers, fires)",
                new AvroTypeInfo<>(SendCommand.class),
                new UserEngineOperator(rulesToLoad, settings))
            .uid("user-engine");
    return new Outputs(
        sends,
        sends.getSideOutput(StateNames.SUPPRESSIONS),
        sends.getSideOutput(StateNames.CONVERSIONS),
        sends.getSideOutput(StateNames.JOURNEY_EVENTS),
        sends.getSideOutput(StateNames.LATE_EVENTS),
        sends.getSideOutput(StateNames.RULE_REJECTIONS),
        sends.getSideOutput(StateNames.DEAD_LETTERS),
        sends.getSideOutput(StateNames.REJECTED_EVENTS));
  }

  /** Separates dead letters from events; the Kafka source decodes into {@link Ingested}. */
  public static Decoded split(DataStream<Ingested> ingested) {
    SingleOutputStreamOperator<Event> events =
        ingested
            .process(new SplitDeadLetters(), new AvroTypeInfo<>(Event.class))
            .uid("split-dead-letters")
            .name("Split dead letters");
    return new Decoded(events, events.getSideOutput(StateNames.DEAD_LETTERS));
  }

  /**
   * Event time of an ingested record; dead letters carry none. See {@link QuietStreamWatermarks}.
   */
  public static WatermarkStrategy<Ingested> liveWatermarks(JobConfig config) {
    return new LiveWatermarks(config.disorderBound(), config.idleTimerLag());
  }

  /**
   * One instance per source subtask (Flink deserializes the strategy per task), so the reader's
   * activity is shared by the generators of all partitions that subtask reads.
   */
  static final class LiveWatermarks implements WatermarkStrategy<Ingested> {
    private static final long serialVersionUID = 1L;
    private final java.time.Duration bound;
    private final java.time.Duration idleLag;
    private transient QuietStreamWatermarks.ReaderActivity reader;

    LiveWatermarks(java.time.Duration bound, java.time.Duration idleLag) {
      this.bound = bound;
      this.idleLag = idleLag;
    }

    @Override
    public org.apache.flink.api.common.eventtime.WatermarkGenerator<Ingested>
        createWatermarkGenerator(
            org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier.Context context) {
      if (reader == null) {
        reader = new QuietStreamWatermarks.ReaderActivity(System.currentTimeMillis());
      }
      org.apache.flink.util.clock.RelativeClock activity = context.getInputActivityClock();
      return new QuietStreamWatermarks<>(
          bound, idleLag, System::currentTimeMillis, activity::relativeTimeMillis, reader);
    }

    @Override
    public org.apache.flink.api.common.eventtime.TimestampAssigner<Ingested>
        createTimestampAssigner(
            org.apache.flink.api.common.eventtime.TimestampAssignerSupplier.Context context) {
      return (record, previous) ->
          record.getEvent() == null
              ? QuietStreamWatermarks.NO_EVENT_TIME
              : record.getEvent().getTime().toEpochMilli();
    }
  }

  /** Routes dead letters to a side output and counts them. */
  static final class SplitDeadLetters extends ProcessFunction<Ingested, Event> {
    private static final long serialVersionUID = 1L;
    private transient org.apache.flink.metrics.Counter deadLetters;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
      deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(Ingested record, Context ctx, Collector<Event> out) {
      if (record.getEvent() != null) {
        out.collect(record.getEvent());
      } else {
        deadLetters.inc();
        ctx.output(StateNames.DEAD_LETTERS, record.getDeadLetter());
      }
    }
  }
}
