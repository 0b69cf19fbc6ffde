package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beckon.engine.journey.Journey;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.time.Durations;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Versions of a journey in a running job (contract section 7): move by step id, or exit. */
class JourneyChangesTest {
  static final long T = Instant.parse("2026-01-05T10:00:00Z").toEpochMilli();

  static Journey journey(int version, String waitingStep, String wait) {
    String yaml =
        "kind: journey\nid: jny\nversion: "
            + version
            + "\ntrigger: {kind: event, event: ping}\nsteps:\n"
            + "  - id: "
            + waitingStep
            + "\n    "
            + wait
            + "\n  - id: hello\n    send: {channel: in_app, body: v"
            + version
            + "}\n";
    return RuleSet.parse(Map.of("j.yaml", yaml)).journey("jny");
  }

  /** A user who entered {@code journey} at T and waits in its first step. */
  static InMemoryUserStore waitingIn(Journey journey) {
    InMemoryUserStore store = new InMemoryUserStore();
    UserEngine engine = new UserEngine(new RuleSet(List.of(), List.of(journey)));
    Scenario.Recorder out = new Scenario.Recorder();
    engine.apply(ExpiryTest.event("a", T, "ping"), store, out);
    engine.fireDue("u", T, store, out);
    return store;
  }

  @Test
  void anInstanceMovesToTheSameStepIdKeepingItsDueTime() {
    Journey v1 = journey(1, "pause", "wait: 1d");
    Journey v2 = journey(2, "pause", "wait: 3d");
    InMemoryUserStore store = waitingIn(v1);
    Scenario.Recorder out = new Scenario.Recorder();
    store.triggers(JourneyChanges.apply(store.triggers(), v1, v2, "u", T + 1, out));
    assertEquals(List.of(), out.journeyEvents);
    UserEngine engine2 = new UserEngine(new RuleSet(List.of(), List.of(v2)));
    assertEquals(T + Durations.DAY, engine2.nextWakeUp(store, new Expiry(0)), "its due time");
    engine2.fireDue("u", T + Durations.DAY, store, out);
    assertEquals("v2", out.sent.get(0).getBody(), "it goes on in the new version");
    assertEquals(2, out.sent.get(0).getRuleVersion());
    assertNull(store.triggers());
  }

  @Test
  void anInstanceWhoseStepIsGoneExitsWithReasonVersion() {
    Journey v1 = journey(1, "pause", "wait: 1d");
    Journey v2 = journey(2, "rest", "wait: 1d");
    InMemoryUserStore store = waitingIn(v1);
    Scenario.Recorder out = new Scenario.Recorder();
    store.triggers(JourneyChanges.apply(store.triggers(), v1, v2, "u", T + 5, out));
    assertEquals(1, out.journeyEvents.size());
    var exited = out.journeyEvents.get(0);
    assertEquals("exited", exited.getType());
    assertEquals("version", exited.getReason());
    assertEquals("pause", exited.getStep());
    assertEquals(1, exited.getJourneyVersion());
    assertEquals(Instant.ofEpochMilli(T + 5), exited.getTime());
    assertNull(store.triggers(), "no instance, no wake-up left");
  }

  @Test
  void disablingOrDeletingExitsEveryInstance() {
    Journey v1 = journey(1, "pause", "wait: 1d");
    Journey disabled =
        RuleSet.parse(
                Map.of(
                    "j.yaml",
                    "kind: journey\nid: jny\nversion: 2\nenabled: false\n"
                        + "trigger: {kind: event, event: ping}\n"
                        + "steps:\n  - id: pause\n    wait: 1d\n"))
            .journey("jny");
    for (Journey after : java.util.Arrays.asList(disabled, null)) {
      InMemoryUserStore store = waitingIn(v1);
      Scenario.Recorder out = new Scenario.Recorder();
      store.triggers(JourneyChanges.apply(store.triggers(), v1, after, "u", T + 5, out));
      assertEquals("version", out.journeyEvents.get(0).getReason());
      assertNull(store.triggers());
    }
  }

  @Test
  void aMatchedWaitForKeepsItsMatch() {
    String waitFor =
        "wait_for: {events: [{event: booked, goto: hello}], timeout: {after: 2d, goto: end}}";
    Journey v1 = journey(1, "look", waitFor);
    Journey v2 = journey(2, "look", waitFor.replace("2d", "3d"));
    InMemoryUserStore store = waitingIn(v1);
    new UserEngine(new RuleSet(List.of(), List.of(v1)))
        .apply(ExpiryTest.event("b", T + 10, "booked"), store, new Scenario.Recorder());
    Scenario.Recorder out = new Scenario.Recorder();
    store.triggers(JourneyChanges.apply(store.triggers(), v1, v2, "u", T + 10, out));
    UserEngine engine2 = new UserEngine(new RuleSet(List.of(), List.of(v2)));
    engine2.fireDue("u", T + 10, store, out);
    assertEquals(List.of("v2"), out.sent.stream().map(c -> c.getBody()).toList());
  }
}
