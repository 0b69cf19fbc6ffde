package io.beckon.bench;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.core.UserStore;
import io.beckon.engine.profile.ProfileView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * An example rule's audience condition against the returning shopper's profile, read through a
 * {@link ProfileView} as a fire reads it (computed properties such as the cart's value included).
 */
public class ConditionBench extends EngineBenchmark {
  /** The example rules with an audience. */
  @Param({"cart-abandonment-2h", "airport-and-store-geofence", "repurchase-30d", "winback-7d"})
  public String rule;

  private Condition audience;
  private UserStore store;

  @Setup
  public void setUp() {
    UserEngine engine = new UserEngine(ExampleRules.all());
    audience = engine.rules().get(rule).audience();
    store = Shopper.stateBeforeNow(engine);
  }

  @Benchmark
  public boolean audience() {
    return audience.test(new ProfileView(store, Shopper.NOW)::get);
  }
}
