package io.beckon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.core.InMemoryUserStore;
import io.beckon.engine.core.UserEngine;
import org.junit.jupiter.api.Test;

/** Each benchmark, run once outside JMH, does the work its Javadoc claims. */
class BenchSetupTest {
  @Test
  void theShopperIsInEveryAudience() {
    ConditionBench bench = new ConditionBench();
    for (String rule :
        new String[] {
          "cart-abandonment-2h", "airport-and-store-geofence", "repurchase-30d", "winback-7d"
        }) {
      bench.rule = rule;
      bench.setUp();
      assertTrue(bench.audience(), rule);
    }
  }

  @Test
  void theFirstVisitArmsAndDisarms() {
    TriggerBench bench = new TriggerBench();
    bench.rules = ExampleRules.CART;
    bench.setUp();
    InMemoryUserStore cartOnly = bench.firstVisit();
    assertEquals(1, cartOnly.profile().getPurchaseCount());
    assertNull(cartOnly.triggers(), "the purchase disarms the cart reminder");

    bench.rules = "all";
    bench.setUp();
    InMemoryUserStore all = bench.firstVisit();
    assertNotNull(all.triggers());
    assertEquals(
        5,
        all.triggers().getPending().size(),
        "welcome, winback, fence, repurchase, order confirmation");
  }

  @Test
  void theOnboardingRunsFromEntryToEnd() {
    JourneyBench bench = new JourneyBench();
    bench.setUp();
    Fires out = Fires.counting();
    InMemoryUserStore store = bench.run(out);
    // Entered at the open, the picks pushed at 09:30 two days later; no product viewed and an
    // empty cart: the stories email, in-app (no email address). Entered, sent, sent, exited.
    assertEquals(2, out.sends, "the picks and the stories");
    assertEquals(4, out.journeyEvents);
    assertTrue(store.triggers().getJourneys().isEmpty(), "the instance ended");
    assertTrue(store.triggers().getPending().isEmpty(), "nothing is due any more");
    assertEquals(
        java.util.Set.of("onboarding-first-days"),
        store.triggers().getLastFire().keySet(),
        "only the once-only entry is remembered");
  }

  @Test
  void theCartMessageRendersWithTheShoppersData() {
    TemplateBench bench = new TemplateBench();
    bench.setUp();
    assertEquals("Maria, your cart misses you", bench.title());
    assertEquals("3 items worth 126.0 USD are waiting.", bench.body());
  }

  @Test
  void theInstantSendsTheCartReminderFromARestoredState() {
    UserEngine engine = new UserEngine(ExampleRules.all());
    InMemoryUserStore original = Shopper.stateBeforeNow(engine);
    InMemoryUserStore restored = new Snapshot(original, Shopper.ATTRIBUTES).restore();
    assertEquals(original.serializedBytes(), restored.serializedBytes());
    assertEquals(original.attributeCount(), restored.attributeCount());

    InstantStepBench bench = new InstantStepBench();
    bench.setUp();
    for (int i = 0; i < 2; i++) { // the same outcome every invocation
      Fires fires = Fires.counting();
      bench.step(fires);
      assertEquals(1, fires.sends, "the cart reminder");
      // The welcome, once only, is silent for a user it greeted (contract v2): no suppression.
      assertEquals(0, fires.suppressions, "nothing suppressed");
    }
  }

  @Test
  void theTrafficSliceGivesSendsAndSuppressions() {
    EngineThroughputBench bench = new EngineThroughputBench();
    bench.setUp();
    Fires fires = Fires.counting();
    int users = bench.run(fires).size();
    assertTrue(users > 200, users + " users");
    assertTrue(fires.sends > 1_000, fires.sends + " sends");
    assertTrue(fires.suppressions > 100, fires.suppressions + " suppressions");
  }
}
