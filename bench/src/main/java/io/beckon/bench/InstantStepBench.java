package io.beckon.bench;

import io.beckon.engine.core.InMemoryUserStore;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.event.UserEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-instant step with every example rule: the returning shopper's two events at one instant
 * applied in order, then the fires due at that instant taken (the cart reminder is sent; the
 * welcome, once only, is silent for a user it greeted). Each invocation restores the shopper's
 * state first, as the Flink operator loads it; {@link #restoreOnly} measures that part alone.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InstantStepBench extends EngineBenchmark {
  private UserEngine engine;
  private Snapshot before;
  private List<UserEvent> atNow;

  @Setup
  public void setUp() {
    engine = new UserEngine(ExampleRules.all());
    before = new Snapshot(Shopper.stateBeforeNow(engine), Shopper.ATTRIBUTES);
    atNow = Shopper.atNow();
  }

  @Benchmark
  public InMemoryUserStore step(Blackhole blackhole) {
    return step(new Fires(blackhole));
  }

  @Benchmark
  public InMemoryUserStore restoreOnly() {
    return before.restore();
  }

  /** One instant for the shopper; the fires' outcomes go to {@code out}. */
  InMemoryUserStore step(Fires out) {
    InMemoryUserStore store = before.restore();
    for (UserEvent e : atNow) {
      engine.apply(e, store);
    }
    engine.fireDue(Shopper.USER, Shopper.NOW, store, out);
    return store;
  }
}
