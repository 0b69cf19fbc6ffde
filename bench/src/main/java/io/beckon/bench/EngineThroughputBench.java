package io.beckon.bench;

import io.beckon.engine.core.UserEngine;
import io.beckon.engine.core.UserTimeline;
import io.beckon.engine.event.AvroEvents;
import io.beckon.schema.Event;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The engine end to end, in events per second: a fixed slice of demo-like traffic ({@link
 * Traffic#EVENTS} Avro events: the histories of 275 users over six weeks, the last cut short)
 * decoded and run user by user on {@link UserTimeline}s with every example rule, all fires taken.
 * The engine-only half of {@code ./beckon bench}, on a smaller, fixed input; every invocation
 * starts with no user state.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(Traffic.EVENTS)
public class EngineThroughputBench extends EngineBenchmark {
  private UserEngine engine;
  private List<Event> events;

  @Setup
  public void setUp() {
    engine = new UserEngine(ExampleRules.all());
    events = Traffic.slice(42);
  }

  @Benchmark
  public Map<String, UserTimeline> traffic(Blackhole blackhole) {
    return run(new Fires(blackhole));
  }

  /** Every event of the slice, then every fire; outcomes go to {@code out}. */
  Map<String, UserTimeline> run(Fires out) {
    Map<String, UserTimeline> timelines = new HashMap<>();
    for (Event e : events) {
      timelines
          .computeIfAbsent(e.getUserId(), user -> new UserTimeline(engine, user))
          .add(AvroEvents.fromAvro(e));
    }
    for (UserTimeline timeline : timelines.values()) {
      timeline.runUntil(Long.MAX_VALUE, out);
    }
    return timelines;
  }
}
