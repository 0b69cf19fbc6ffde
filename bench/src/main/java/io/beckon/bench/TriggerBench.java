package io.beckon.bench;

import io.beckon.engine.core.InMemoryUserStore;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.event.UserEvent;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Trigger transitions: {@link UserEngine#apply} of each event of the shopper's first visit (nine
 * events: install, reachability, a cart armed, re-armed and bought, a fix at the store), reported
 * per event. Every invocation starts from an empty store, so state cannot grow across invocations;
 * creating that store is part of the figure, shared by nine events.
 */
@OperationsPerInvocation(TriggerBench.EVENTS)
public class TriggerBench extends EngineBenchmark {
  static final int EVENTS = 9;

  /** The cart rule alone, or every example rule. */
  @Param({ExampleRules.CART, "all"})
  public String rules;

  private UserEngine engine;
  private List<UserEvent> visit;

  @Setup
  public void setUp() {
    engine = new UserEngine(rules.equals("all") ? ExampleRules.all() : ExampleRules.only(rules));
    visit = Shopper.firstVisit();
    if (visit.size() != EVENTS) {
      throw new IllegalStateException("the first visit has " + visit.size() + " events");
    }
  }

  @Benchmark
  public InMemoryUserStore firstVisit() {
    InMemoryUserStore store = new InMemoryUserStore();
    for (UserEvent e : visit) {
      engine.apply(e, store);
    }
    return store;
  }
}
