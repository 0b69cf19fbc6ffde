package io.beckon.bench;

import io.beckon.engine.core.InMemoryUserStore;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A whole journey instance, one user, without Flink: the example onboarding journey from the first
 * app open (entry) through its wake-ups (the day's wait, the 09:30 slot and its push, the {@code
 * wait_for} timing out, the branch and the stories email) to its end, every wake-up taken at its
 * instant as the operator would. Each invocation starts from an empty store.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JourneyBench extends EngineBenchmark {
  static final String ONBOARDING = "onboarding-first-days";

  private UserEngine engine;
  private List<UserEvent> firstOpen;

  @Setup
  public void setUp() {
    engine =
        new UserEngine(
            new io.beckon.engine.rules.RuleSet(
                List.of(), List.of(ExampleRules.all().journey(ONBOARDING))));
    long t = java.time.Instant.parse("2026-01-05T16:05:00Z").toEpochMilli();
    firstOpen =
        List.of(
            new UserEvent(
                "e-1",
                Shopper.USER,
                "app_opened",
                t,
                Json.parseObject("{\"platform\":\"ios\",\"timezone\":\"Europe/Warsaw\"}")),
            new UserEvent(
                "e-2",
                Shopper.USER,
                "push_token_registered",
                t,
                Json.parseObject("{\"token\":\"tok\"}")));
  }

  @Benchmark
  public InMemoryUserStore onboarding(Blackhole blackhole) {
    return run(new Fires(blackhole));
  }

  /** The instance from entry to end; the outcomes go to {@code out}. */
  InMemoryUserStore run(Fires out) {
    InMemoryUserStore store = new InMemoryUserStore();
    long now = firstOpen.get(0).time();
    for (UserEvent e : firstOpen) {
      engine.apply(e, store, out);
    }
    engine.fireDue(Shopper.USER, now, store, out);
    // The instance's wake-ups, each at its instant, until it ended and nothing is due.
    java.util.TreeSet<Long> due;
    while (store.triggers() != null && !(due = UserEngine.dueTimes(store.triggers())).isEmpty()) {
      engine.fireDue(Shopper.USER, due.first(), store, out);
    }
    return store;
  }
}
