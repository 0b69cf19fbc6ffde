package io.beckon.tools.bench;

import io.beckon.engine.core.FireListener;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.core.UserTimeline;
import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.rules.RuleSet;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.tools.demo.TrafficModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine alone (one thread, in-memory state, no Flink, no Kafka, no serialization) over the
 * demo's traffic: the ceiling of what the rule logic itself costs.
 */
final class EngineOnly {
  /** The best round. */
  record Result(double eventsPerSecond, int users, long events, long sends, long suppressions) {}

  private EngineOnly() {}

  /** Round 0 warms the JIT up and does not count. */
  static Result run(Map<String, String> ruleFiles, int users, int rounds) {
    List<Event> events = new TrafficModel(42, users).generate();
    UserEngine engine = new UserEngine(RuleSet.parse(ruleFiles));
    double best = 0;
    long[] outputs = new long[2];
    for (int round = 0; round <= rounds; round++) {
      long start = System.nanoTime();
      outputs = once(engine, events);
      double rate = events.size() / ((System.nanoTime() - start) / 1e9);
      if (round > 0) {
        best = Math.max(best, rate);
      }
    }
    return new Result(best, users, events.size(), outputs[0], outputs[1]);
  }

  private static long[] once(UserEngine engine, List<Event> events) {
    Map<String, UserTimeline> timelines = new HashMap<>();
    for (Event e : events) {
      timelines
          .computeIfAbsent(e.getUserId(), u -> new UserTimeline(engine, u))
          .add(AvroEvents.fromAvro(e));
    }
    long[] counts = new long[2];
    FireListener count =
        new FireListener() {
          @Override
          public void sent(SendCommand command) {
            counts[0]++;
          }

          @Override
          public void suppressed(Suppression suppression) {
            counts[1]++;
          }

          @Override
          public void converted(io.beckon.schema.Conversion conversion) {}

          @Override
          public void journey(io.beckon.schema.JourneyEvent event) {}
        };
    timelines.values().forEach(t -> t.runUntil(Long.MAX_VALUE, count));
    return counts;
  }
}
