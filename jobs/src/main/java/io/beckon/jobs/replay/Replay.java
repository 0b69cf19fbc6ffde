package io.beckon.jobs.replay;

import io.beckon.engine.core.JsonViews;
import io.beckon.engine.json.Json;
import io.beckon.jobs.EngagementPipeline;
import io.beckon.jobs.functions.EngineSettings;
import io.beckon.jobs.rules.RuleUpdates;
import io.beckon.schema.Event;
import io.beckon.schema.internal.RuleUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs the engagement pipeline over recorded events: the same operators as the live job, fed from a
 * bounded source in file order. End of input takes event time to infinity, so every pending timer
 * fires. Watermarks follow each event (not a wall-clock period), so which events are late is
 * decided by the file alone and the output is the same on every run.
 */
public final class Replay {
  /**
   * Sorted outputs in their JSON views, and the events the engine rejected for a per-user limit.
   */
  public record Result(
      List<String> sendCommands,
      List<String> suppressions,
      List<String> conversions,
      List<String> journeyEvents,
      int lateEvents,
      List<String> quarantined,
      List<Rejected> rejected) {}

  /** An event found malformed for a per-user limit (contract section 1): its JSON view, why. */
  public record Rejected(String event, String reason) {}

  private Replay() {}

  public static Result run(
      StreamExecutionEnvironment env,
      List<Event> events,
      Map<String, String> ruleFiles,
      Duration disorderBound)
      throws Exception {
    return run(env, events, ruleFiles, disorderBound, EngineSettings.DEFAULTS);
  }

  /**
   * @param settings engine settings; tests inject faults through them
   */
  public static Result run(
      StreamExecutionEnvironment env,
      List<Event> events,
      Map<String, String> ruleFiles,
      Duration disorderBound,
      EngineSettings settings)
      throws Exception {
    DataStream<Event> source =
        env.fromData(events, new AvroTypeInfo<>(Event.class))
            .setParallelism(1)
            .uid("replay-events")
            .name("Recorded events")
            .assignTimestampsAndWatermarks(perEventWatermarks(disorderBound))
            .setParallelism(1)
            .uid("replay-watermarks")
            .name("Event time");
    List<RuleUpdate> rules = RuleUpdates.fromFiles(ruleFiles);
    DataStream<RuleUpdate> ruleUpdates =
        env.fromData(rules, new AvroTypeInfo<>(RuleUpdate.class))
            .setParallelism(1)
            .uid("replay-rules")
            .name("Rules");
    // The end of input fires what is pending, and a yearly date occurrence that fires after the
    // last event arms no next year (contract section 8).
    long lastEventTime =
        events.stream().mapToLong(e -> e.getTime().toEpochMilli()).max().orElse(Long.MIN_VALUE);
    EngagementPipeline.Outputs outputs =
        EngagementPipeline.build(
            source, ruleUpdates, RuleUpdates.toLoad(rules), settings.withInputEnd(lastEventTime));
    // One collected stream, tagged by kind, so a single job run yields all outputs.
    DataStream<String> tagged =
        outputs
            .sendCommands()
            .map(c -> "S" + JsonViews.of(c))
            .returns(Types.STRING)
            .uid("replay-tag-sends")
            .union(
                outputs
                    .suppressions()
                    .map(s -> "X" + JsonViews.of(s))
                    .returns(Types.STRING)
                    .uid("replay-tag-suppressions"),
                outputs
                    .conversions()
                    .map(c -> "C" + JsonViews.of(c))
                    .returns(Types.STRING)
                    .uid("replay-tag-conversions"),
                outputs
                    .journeyEvents()
                    .map(j -> "J" + JsonViews.of(j))
                    .returns(Types.STRING)
                    .uid("replay-tag-journey-events"),
                outputs.lateEvents().map(e -> "L").returns(Types.STRING).uid("replay-tag-late"),
                outputs
                    .quarantined()
                    .map(d -> "Q" + d.getReason())
                    .returns(Types.STRING)
                    .uid("replay-tag-quarantined"),
                outputs
                    .rejectedEvents()
                    .map(
                        d ->
                            "D"
                                + d.getReason()
                                + "\n"
                                + StandardCharsets.UTF_8.decode(d.getValue().duplicate()))
                    .returns(Types.STRING)
                    .uid("replay-tag-rejected"));
    List<String> sendLines = new ArrayList<>();
    List<String> suppressionLines = new ArrayList<>();
    List<String> conversionLines = new ArrayList<>();
    List<String> journeyLines = new ArrayList<>();
    List<String> quarantined = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    int late = 0;
    try (CloseableIterator<String> it = tagged.executeAndCollect("beckon-replay")) {
      while (it.hasNext()) {
        String item = it.next();
        switch (item.charAt(0)) {
          case 'S' -> sendLines.add(item.substring(1));
          case 'X' -> suppressionLines.add(item.substring(1));
          case 'C' -> conversionLines.add(item.substring(1));
          case 'J' -> journeyLines.add(item.substring(1));
          case 'Q' -> quarantined.add(item.substring(1));
          case 'D' -> {
            int split = item.indexOf('\n');
            rejected.add(new Rejected(item.substring(split + 1), item.substring(1, split)));
          }
          default -> late++;
        }
      }
    }
    sendLines.sort(CONTRACT_ORDER);
    suppressionLines.sort(CONTRACT_ORDER);
    conversionLines.sort(CONVERSION_ORDER);
    journeyLines.sort(JOURNEY_ORDER);
    return new Result(
        sendLines, suppressionLines, conversionLines, journeyLines, late, quarantined, rejected);
  }

  /**
   * The contract's output order: fire_time, user_id, rule_id; then, for a journey, the order in
   * which its steps ran (the sort is stable and one user's outputs arrive in the order the engine
   * wrote them), and for a rule the whole line.
   */
  static final Comparator<String> CONTRACT_ORDER =
      Comparator.<String, Instant>comparing(line -> Instant.parse(field(line, "fire_time")))
          .thenComparing(line -> field(line, "user_id"))
          .thenComparing(line -> field(line, "rule_id"))
          .thenComparing((a, b) -> isJourney(a) ? 0 : a.compareTo(b));

  /**
   * Journey events in the order they happened: time, user_id, journey_id, then arrival (stable
   * sort; one user's events arrive in the order the engine wrote them).
   */
  static final Comparator<String> JOURNEY_ORDER =
      Comparator.<String, Instant>comparing(line -> Instant.parse(field(line, "time")))
          .thenComparing(line -> field(line, "user_id"))
          .thenComparing(line -> field(line, "journey_id"));

  /** Whether an output line is a journey's (rules and journeys share the rule_id namespace). */
  private static boolean isJourney(String line) {
    return field(line, "journey_instance") != null;
  }

  /**
   * Conversions in the order they happened: conversion_time, user_id, rule_id, then the whole line
   * (which starts with the send id).
   */
  static final Comparator<String> CONVERSION_ORDER =
      Comparator.<String, Instant>comparing(line -> Instant.parse(field(line, "conversion_time")))
          .thenComparing(line -> field(line, "user_id"))
          .thenComparing(line -> field(line, "rule_id"))
          .thenComparing(Comparator.naturalOrder());

  private static String field(String jsonLine, String name) {
    return (String) Json.parseObject(jsonLine).get(name);
  }

  /** Bounded disorder, with the watermark advanced after every event rather than periodically. */
  public static WatermarkStrategy<Event> perEventWatermarks(Duration bound) {
    long boundMillis = bound.toMillis();
    return WatermarkStrategy.<Event>forGenerator(
            ctx ->
                new WatermarkGenerator<>() {
                  private long max = Long.MIN_VALUE;

                  @Override
                  public void onEvent(Event event, long timestamp, WatermarkOutput output) {
                    if (timestamp > max) {
                      max = timestamp;
                      output.emitWatermark(new Watermark(max - boundMillis - 1));
                    }
                  }

                  @Override
                  public void onPeriodicEmit(WatermarkOutput output) {}
                })
        .withTimestampAssigner((event, previous) -> event.getTime().toEpochMilli());
  }
}
