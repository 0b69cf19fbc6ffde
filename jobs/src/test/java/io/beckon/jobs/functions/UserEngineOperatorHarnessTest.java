package io.beckon.jobs.functions;

import static io.beckon.jobs.TestEvents.event;
import static io.beckon.jobs.TestEvents.millis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.jobs.rules.RuleUpdates;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.schema.internal.RuleUpdate;
import io.beckon.schema.state.UserRecord;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keyed engine function on RocksDB, driven by watermarks: events wait for the watermark, fire
 * at their due instant, and leave no timers or trigger state behind once triggers complete or are
 * cancelled.
 */
class UserEngineOperatorHarnessTest {
  static final Map<String, String> RULES =
      Map.of(
          "cart.yaml",
          """
          id: cart-2h
          version: 1
          trigger: {kind: cart_abandoned, delay: 2h}
          message: {channel: in_app, body: "{{ cart_units }} items waiting"}
          """,
          "welcome.yaml",
          """
          id: welcome
          version: 1
          trigger: {kind: event, event: app_opened}
          reentry: {once: true}
          message: {channel: in_app, body: "Welcome"}
          """);

  private KeyedTwoInputStreamOperatorTestHarness<String, Event, RuleUpdate, SendCommand> harness;

  /** Heap state, so the harness can count state entries; see the RocksDB test below. */
  @BeforeEach
  void open() throws Exception {
    harness = newHarness(RULES);
    harness.open();
    publish(RULES);
  }

  private static KeyedTwoInputStreamOperatorTestHarness<String, Event, RuleUpdate, SendCommand>
      newHarness(Map<String, String> rulesToLoad) throws Exception {
    return new KeyedTwoInputStreamOperatorTestHarness<>(
        new UserEngineOperator(RuleUpdates.toLoad(RuleUpdates.fromFiles(rulesToLoad))),
        Event::getUserId,
        null,
        Types.STRING);
  }

  private void publish(Map<String, String> files) throws Exception {
    for (RuleUpdate update : RuleUpdates.fromFiles(files)) {
      harness.processElement2(new StreamRecord<>(update));
    }
  }

  private void publish(String file, String yaml, long offset) throws Exception {
    var record = RuleUpdates.record(file, yaml, java.time.Instant.EPOCH);
    harness.processElement2(
        new StreamRecord<>(
            RuleUpdate.newBuilder()
                .setRuleId(record.getRuleId())
                .setPartition(0)
                .setOffset(offset)
                .setRecord(record)
                .build()));
  }

  @Test
  void sameBehaviourOnRocksDb() throws Exception {
    harness.close();
    harness = newHarness(RULES);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open();
    publish(RULES);
    eventsWaitForTheWatermarkAndApplyInTimeOrder();
    send(event("c", "u1", "cart_item_added", "2026-01-05T13:00:00Z", "{\"sku\":\"B\"}"));
    send(event("d", "u1", "cart_cleared", "2026-01-05T14:00:00Z", null));
    watermark(millis("2026-01-05T14:00:00Z"));
    // The 15:00 fire was cancelled: only the dedup wake-up remains, and it drains.
    assertEquals(1, harness.numEventTimeTimers());
    watermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    assertEquals(0, harness.numEventTimeTimers());
    assertEquals(List.of("profile"), parts("u1"));
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void watermark(long time) throws Exception {
    harness.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(time));
  }

  private void send(Event e) throws Exception {
    harness.processElement1(e, e.getTime().toEpochMilli());
  }

  private long checkpoint;

  /**
   * The parts of a user's stored record, as a checkpoint would save them: a snapshot first writes
   * the operator's cache back to keyed state, which is then read directly.
   */
  private List<String> parts(String user) throws Exception {
    harness.snapshot(++checkpoint, checkpoint);
    UserEngineOperator operator = (UserEngineOperator) harness.getOperator();
    operator.setCurrentKey(user);
    UserRecord r = operator.getKeyedStateStore().getState(StateNames.userRecord()).value();
    List<String> parts = new java.util.ArrayList<>();
    if (r == null) {
      return parts;
    }
    if (r.getProfile() != null) {
      parts.add("profile");
    }
    if (r.getCart() != null) {
      parts.add("cart");
    }
    if (r.getTriggers() != null) {
      parts.add("triggers");
    }
    if (!r.getAttributes().isEmpty()) {
      parts.add("attributes");
    }
    if (!r.getSeenEvents().isEmpty()) {
      parts.add("dedup");
    }
    if (r.getErasureTime() != null) {
      parts.add("erasure");
    }
    return parts;
  }

  @Test
  void eventsWaitForTheWatermarkAndApplyInTimeOrder() throws Exception {
    // Arrives out of order: the removal (10:05) before the add (10:00).
    send(
        event(
            "b",
            "u1",
            "cart_item_removed",
            "2026-01-05T10:05:00Z",
            "{\"sku\":\"A\",\"quantity\":1}"));
    send(
        event(
            "a",
            "u1",
            "cart_item_added",
            "2026-01-05T10:00:00Z",
            "{\"sku\":\"A\",\"quantity\":3}"));
    assertEquals(0, harness.numEventTimeTimers(), "buffered in memory, no timer per event");
    assertEquals(List.of(), parts("u1"), "nothing applied before the watermark");
    watermark(millis("2026-01-05T10:05:00Z"));
    watermark(millis("2026-01-05T12:04:59Z"));
    assertTrue(harness.extractOutputValues().isEmpty(), "not due before 12:05");
    watermark(millis("2026-01-05T12:05:00Z"));
    List<SendCommand> out = harness.extractOutputValues();
    assertEquals(1, out.size());
    assertEquals("2 items waiting", out.get(0).getBody());
  }

  @Test
  void cancelledTriggerDeletesItsTimerAndState() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(millis("2026-01-05T10:00:00Z"));
    // One timer per user: the next wake-up, the 12:00 fire.
    assertEquals(1, harness.numEventTimeTimers());
    assertEquals(List.of("profile", "cart", "triggers", "dedup"), parts("u1"));
    send(event("b", "u1", "cart_cleared", "2026-01-05T11:00:00Z", null));
    watermark(millis("2026-01-05T11:00:00Z"));
    assertEquals(
        1,
        harness.numEventTimeTimers(),
        "the 12:00 timer moved to the dedup wake-up, 2026-01-06T11:00");
    watermark(millis("2026-01-06T10:59:59Z"));
    assertEquals(List.of("profile", "dedup"), parts("u1"));
    watermark(millis("2026-01-06T11:00:00Z"));
    assertEquals(1, harness.numEventTimeTimers(), "the second id is forgotten an hour later");
    watermark(millis("2026-01-07T00:00:00Z"));
    assertEquals(0, harness.numEventTimeTimers());
    assertTrue(harness.extractOutputValues().isEmpty());
    // Only the profile (counters) remains: no triggers, cart or dedup entries.
    assertEquals(List.of("profile"), parts("u1"));
  }

  @Test
  void completedTriggersLeaveNoTimersAndOnlyTheProfile() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    assertEquals(0, harness.numEventTimeTimers());
    // The cart is still full after the reminder.
    assertEquals(List.of("profile", "cart"), parts("u1"));
  }

  @Test
  void onceRuleKeepsItsHistoryButNothingElse() throws Exception {
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    send(event("b", "u1", "app_opened", "2026-01-05T11:00:00Z", null));
    watermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    // Contract v2: the second open leaves no suppression (v1 wrote a reentry one).
    assertNull(harness.getSideOutput(StateNames.SUPPRESSIONS));
    assertEquals(0, harness.numEventTimeTimers());
    // The once-rule's history stays; the dedup memory went with the time.
    assertEquals(List.of("profile", "triggers"), parts("u1"));
  }

  /** Policies with caps, a promo that measures conversions, and a receipt that ignores caps. */
  static final Map<String, String> MEASURED =
      Map.of(
          "policies.yaml",
          "frequency_caps: [{max: 1, per: 2h}, {max: 5, per: 1d}]\n",
          "promo.yaml",
          """
          id: promo
          version: 1
          trigger: {kind: event, event: browse}
          message: {channel: in_app, body: "Deals"}
          conversion: {event: purchase_completed, within: 6h}
          """);

  private void publishPolicies(String yaml, long offset) throws Exception {
    harness.processElement2(
        new StreamRecord<>(
            RuleUpdate.newBuilder()
                .setRuleId(RuleUpdates.POLICIES_KEY)
                .setPartition(0)
                .setOffset(offset)
                .setPolicies(true)
                .setPoliciesRecord(
                    yaml == null
                        ? null
                        : new io.beckon.schema.PoliciesRecord(yaml, java.time.Instant.EPOCH))
                .build()));
  }

  @Test
  void anInvalidPoliciesRecordIsRejectedAndTheOnesInForceStayUntilATombstone() throws Exception {
    harness.close();
    harness = newHarness(MEASURED);
    harness.open();
    publish(MEASURED);
    publishPolicies("frequency_caps: [{max: 0, per: 1h}]\nquiet_hours: 5\n", 1);
    var rejections = harness.getSideOutput(StateNames.RULE_REJECTIONS);
    assertEquals(1, rejections.size());
    io.beckon.schema.RuleRejection r =
        (io.beckon.schema.RuleRejection) rejections.peek().getValue();
    assertEquals("policies", r.getRuleId());
    assertTrue(r.getReason().contains("policies.yaml:1:"), r.getReason());
    // The cap of one send in 2 h still holds: the second browse is capped.
    send(event("b1", "u1", "browse", "2026-01-05T10:00:00Z", null));
    send(event("b2", "u1", "browse", "2026-01-05T10:30:00Z", null));
    watermark(millis("2026-01-05T11:00:00Z"));
    assertEquals(1, harness.extractOutputValues().size());
    assertEquals(1, harness.getSideOutput(StateNames.SUPPRESSIONS).size());
    // A tombstone removes the policies: no cap any more.
    publishPolicies(null, 2);
    send(event("b3", "u1", "browse", "2026-01-05T11:10:00Z", null));
    watermark(millis("2026-01-05T12:00:00Z"));
    assertEquals(2, harness.extractOutputValues().size());
    assertEquals(1, harness.getSideOutput(StateNames.RULE_REJECTIONS).size());
  }

  static final String RENEWAL =
      """
      id: renewal
      version: 1
      trigger: {kind: date, attribute: renewal_at, offset: -1d}
      message: {channel: in_app, body: "Renews tomorrow"}
      """;

  @Test
  void aDateRuleArrivingInARunningJobArmsUsersWhoHaveTheAttribute() throws Exception {
    send(
        event(
            "a",
            "u1",
            "attributes_set",
            "2026-01-05T10:00:00Z",
            "{\"attributes\":{\"renewal_at\":\"2026-01-08T12:00:00Z\"}}"));
    send(
        event(
            "b",
            "u2",
            "attributes_set",
            "2026-01-05T10:00:00Z",
            "{\"attributes\":{\"renewal_at\":\"2026-01-05T12:00:00Z\"}}"));
    send(event("c", "u3", "product_viewed", "2026-01-05T10:00:00Z", null));
    watermark(millis("2026-01-05T11:00:00Z"));
    publish("renewal.yaml", RENEWAL, 10);
    // u1: 8 Jan 12:00 - 1 day is after the watermark: armed. u2: 4 Jan 12:00 is before it: never.
    assertEquals(List.of("profile", "triggers", "attributes", "dedup"), parts("u1"));
    assertEquals(List.of("profile", "attributes", "dedup"), parts("u2"));
    assertEquals(List.of("profile", "dedup"), parts("u3"));
    watermark(millis("2026-01-07T12:00:00Z"));
    List<SendCommand> sent =
        harness.extractOutputValues().stream()
            .filter(c -> c.getRuleId().equals("renewal"))
            .toList();
    assertEquals(1, sent.size());
    assertEquals("u1", sent.get(0).getUserId());
    assertEquals("2026-01-07T12:00:00Z", sent.get(0).getFireTime().toString());
    watermark(Long.MAX_VALUE);
    assertEquals(0, harness.numEventTimeTimers());
    assertEquals(
        List.of("profile", "attributes"), parts("u1"), "nothing of the fired date is kept");
  }

  static final String TRIAL =
      """
      kind: journey
      id: trial-nudges
      version: 1
      trigger: {kind: event, event: trial_started}
      exit_on: [purchase_completed]
      steps:
        - id: hello
          send: {channel: in_app, body: "hi"}
        - id: pause
          wait: 1d
        - id: look
          wait_for:
            events: [{event: lesson_started, goto: end}]
            timeout: {after: 1d, goto: nudge}
        - id: nudge
          send: {channel: in_app, body: "nudge"}
      """;

  /** The journey events written so far, as {@code user time type step reason}. */
  private List<String> journeyEvents() {
    List<String> out = new java.util.ArrayList<>();
    for (Object o : harness.getSideOutput(StateNames.JOURNEY_EVENTS)) {
      var e = (io.beckon.schema.JourneyEvent) ((StreamRecord<?>) o).getValue();
      out.add(
          e.getUserId()
              + " "
              + e.getTime()
              + " "
              + e.getType()
              + (e.getStep() == null ? "" : " " + e.getStep())
              + (e.getReason() == null ? "" : " " + e.getReason())
              + " v"
              + e.getJourneyVersion());
    }
    return out;
  }

  /** Three users in the trial journey: one times out, one exits, one is matched. */
  private void threeTrials() throws Exception {
    for (String user : List.of("u1", "u2", "u3")) {
      send(event("t-" + user, user, "trial_started", "2026-01-05T10:00:00Z", null));
    }
    send(event("p", "u2", "purchase_completed", "2026-01-06T12:00:00Z", "{\"total\":5}"));
    send(event("l", "u3", "lesson_started", "2026-01-06T11:00:00Z", null));
  }

  @Test
  void journeyTimersAndInstanceStateGoOnceInstancesEnd() throws Exception {
    harness.close();
    harness = newHarness(Map.of("trial.yaml", TRIAL));
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open();
    publish(Map.of("trial.yaml", TRIAL));
    threeTrials();
    watermark(millis("2026-01-05T10:00:00Z"));
    assertEquals(3, harness.extractOutputValues().size(), "hello, for each at entry");
    assertEquals(List.of("profile", "triggers", "dedup"), parts("u1"), "waiting in pause");
    watermark(millis("2026-01-06T12:00:00Z"));
    // u1 waits in look (its trial_started is forgotten for dedup at 11:00); u2 exited at 12:00;
    // u3 was matched at 11:00 and completed.
    assertEquals(List.of("profile", "triggers"), parts("u1"));
    assertEquals(List.of("profile", "dedup"), parts("u2"));
    assertEquals(List.of("profile", "dedup"), parts("u3"));
    watermark(millis("2026-01-07T10:00:00Z"));
    assertEquals(List.of("profile"), parts("u1"), "completed after the nudge");
    assertEquals(4, harness.extractOutputValues().size());
    assertEquals(
        List.of(
            "u3 2026-01-06T11:00:00Z exited look completed v1",
            "u2 2026-01-06T12:00:00Z exited look exit_on v1",
            "u1 2026-01-07T10:00:00Z sent nudge v1",
            "u1 2026-01-07T10:00:00Z exited nudge completed v1"),
        journeyEvents().stream()
            .filter(e -> !e.contains(" entered") && !e.contains(" sent hello"))
            .toList());
    watermark(millis("2026-01-07T12:00:00Z"));
    assertEquals(List.of("profile"), parts("u2"));
    assertEquals(0, harness.numEventTimeTimers(), "no journey timer is left behind");
  }

  @Test
  void aNewJourneyVersionMovesInstancesByStepIdOrExitsThem() throws Exception {
    harness.close();
    harness = newHarness(Map.of("trial.yaml", TRIAL));
    harness.open();
    publish(Map.of("trial.yaml", TRIAL));
    send(event("t1", "u1", "trial_started", "2026-01-05T10:00:00Z", null));
    send(event("t2", "u2", "trial_started", "2026-01-04T09:00:00Z", null));
    watermark(millis("2026-01-05T12:00:00Z"));
    // u1 waits in pause until 6 Jan 10:00; u2 waits in look (since 5 Jan 09:00).
    String v2 =
        TRIAL
            .replace("version: 1", "version: 2")
            .replace("id: look", "id: watch")
            .replace("body: \"nudge\"", "body: \"nudge v2\"");
    publish("trial.yaml", v2, 2);
    assertEquals(
        List.of("u2 2026-01-05T12:00:00Z exited look version v1"),
        journeyEvents().stream().filter(e -> e.contains("exited")).toList(),
        "u2's step is gone from version 2");
    assertEquals(List.of("profile"), parts("u2"));
    assertEquals(List.of("profile", "triggers", "dedup"), parts("u1"));
    // u1 keeps its due time, and goes on in version 2.
    watermark(millis("2026-01-07T10:00:00Z"));
    List<SendCommand> out = harness.extractOutputValues();
    SendCommand nudge = out.get(out.size() - 1);
    assertEquals("nudge v2", nudge.getBody());
    assertEquals("2026-01-07T10:00:00Z", nudge.getFireTime().toString());
    // A third user enters version 2; disabling it exits them with reason version.
    send(event("t3", "u3", "trial_started", "2026-01-07T11:00:00Z", null));
    watermark(millis("2026-01-07T11:00:00Z"));
    publish("trial.yaml", v2.replace("version: 2", "version: 3\nenabled: false"), 3);
    assertEquals(
        "u3 2026-01-07T11:00:00Z exited pause version v2",
        journeyEvents().get(journeyEvents().size() - 1));
    watermark(Long.MAX_VALUE);
    assertEquals(0, harness.numEventTimeTimers());
    assertEquals(List.of("profile"), parts("u3"));
  }

  @Test
  void capHistoryAndConversionWindowsLeaveStateWhenTheirWindowsPass() throws Exception {
    harness.close();
    harness = newHarness(MEASURED);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open();
    publish(MEASURED);
    send(event("b1", "u1", "browse", "2026-01-05T10:00:00Z", null));
    send(event("b2", "u1", "browse", "2026-01-05T11:00:00Z", null));
    send(event("p1", "u1", "purchase_completed", "2026-01-05T12:00:00Z", "{\"total\":12.5}"));
    send(event("b3", "u1", "browse", "2026-01-05T13:00:00Z", null));
    watermark(millis("2026-01-05T13:00:00Z"));
    // 10:00 sent; 11:00 capped (one send in 2 h); 13:00 sent; the purchase converted 10:00.
    assertEquals(2, harness.extractOutputValues().size());
    assertEquals(1, harness.getSideOutput(StateNames.SUPPRESSIONS).size());
    var conversions = harness.getSideOutput(StateNames.CONVERSIONS);
    assertEquals(1, conversions.size());
    io.beckon.schema.Conversion c = (io.beckon.schema.Conversion) conversions.peek().getValue();
    assertEquals("2026-01-05T10:00:00Z", c.getFireTime().toString());
    assertEquals(12.5, c.getTotal());
    assertEquals(List.of("profile", "triggers", "dedup"), parts("u1"));
    // The 13:00 window closes at 19:00; the last send leaves the 1-day cap window at 13:00 the
    // next day; the dedup memory goes an hour after that.
    watermark(millis("2026-01-06T12:59:59Z"));
    assertEquals(List.of("profile", "triggers", "dedup"), parts("u1"));
    watermark(millis("2026-01-06T13:00:00Z"));
    assertEquals(List.of("profile", "dedup"), parts("u1"));
    watermark(millis("2026-01-06T14:00:00Z"));
    assertEquals(List.of("profile"), parts("u1"));
    assertEquals(0, harness.numEventTimeTimers(), "no timer is left behind");
    assertEquals(1, harness.getSideOutput(StateNames.CONVERSIONS).size());
  }

  @Test
  void erasureReleasesAllStateAndLateEventsGoToTheSideOutput() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    send(
        event(
            "p",
            "u1",
            "attributes_set",
            "2026-01-05T10:00:00Z",
            "{\"attributes\":{\"email\":\"a@b.c\"}}"));
    watermark(millis("2026-01-05T10:30:00Z"));
    send(event("late", "u1", "cart_item_added", "2026-01-05T10:10:00Z", "{\"sku\":\"B\"}"));
    assertEquals(1, harness.getSideOutput(StateNames.LATE_EVENTS).size());
    send(event("x", "u1", "user_erased", "2026-01-05T11:00:00Z", null));
    watermark(millis("2026-01-05T11:00:00Z"));
    assertEquals(
        List.of("erasure"),
        parts("u1"),
        "erasure deletes everything about the user but the erasure marker");
    watermark(Long.MAX_VALUE);
    assertEquals(0, harness.numEventTimeTimers());
    assertTrue(harness.extractOutputValues().isEmpty(), "nothing is sent for an erased user");
  }

  @Test
  void pendingTriggersSurviveSnapshotAndRestore() throws Exception {
    send(
        event(
            "a",
            "u1",
            "cart_item_added",
            "2026-01-05T10:00:00Z",
            "{\"sku\":\"A\",\"quantity\":2}"));
    send(event("b", "u1", "cart_item_added", "2026-01-05T10:00:05Z", "{\"sku\":\"B\"}"));
    watermark(millis("2026-01-05T10:00:00Z"));
    // Snapshot with one event applied, one still buffered, and a fire pending.
    var snapshot = harness.snapshot(1L, 1L);
    harness.close();

    harness = newHarness(RULES);
    harness.initializeState(snapshot);
    harness.open();
    watermark(Long.MAX_VALUE);
    List<SendCommand> out = harness.extractOutputValues();
    assertEquals(1, out.size());
    assertEquals("3 items waiting", out.get(0).getBody());
    assertEquals(millis("2026-01-05T12:00:05Z"), out.get(0).getFireTime().toEpochMilli());
  }

  @Test
  void eventsWaitUntilEveryRulePublishedAtStartIsLoaded() throws Exception {
    harness.close();
    harness = newHarness(RULES);
    harness.open();
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    watermark(Long.MAX_VALUE);
    assertTrue(harness.extractOutputValues().isEmpty(), "no rule loaded yet: nothing is evaluated");
    publish(Map.of("cart.yaml", RULES.get("cart.yaml")));
    assertTrue(harness.extractOutputValues().isEmpty(), "one of two rules loaded: still held");
    publish(RULES); // welcome.yaml is the second update; cart.yaml comes again unchanged
    assertEquals(
        List.of("Welcome"),
        harness.extractOutputValues().stream().map(SendCommand::getBody).toList());
  }

  @Test
  void aShorterDelayReArmsPendingFiresAndTheNewVersionDecides() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(millis("2026-01-05T10:30:00Z"));
    publish(
        "cart.yaml",
        RULES
            .get("cart.yaml")
            .replace("version: 1", "version: 2")
            .replace("delay: 2h", "delay: 1h"),
        2);
    watermark(millis("2026-01-05T11:00:00Z"));
    List<SendCommand> out = harness.extractOutputValues();
    assertEquals(1, out.size());
    assertEquals(millis("2026-01-05T11:00:00Z"), out.get(0).getFireTime().toEpochMilli());
    assertEquals(2, out.get(0).getRuleVersion());
  }

  @Test
  void disablingARuleCancelsItsPendingFiresAndTimers() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(millis("2026-01-05T10:30:00Z"));
    assertEquals(1, harness.numEventTimeTimers(), "the user's next wake-up: the 12:00 fire");
    assertEquals(List.of("profile", "cart", "triggers", "dedup"), parts("u1"));
    publish(
        "cart.yaml", RULES.get("cart.yaml").replace("version: 1", "version: 2\nenabled: false"), 2);
    assertEquals(1, harness.numEventTimeTimers(), "moved to the dedup wake-up");
    assertEquals(List.of("profile", "cart", "dedup"), parts("u1"));
    watermark(Long.MAX_VALUE);
    assertTrue(harness.extractOutputValues().isEmpty());
  }

  @Test
  void anInvalidRecordIsRejectedAndThePreviousVersionStays() throws Exception {
    String broken =
        RULES.get("cart.yaml").replace("version: 1", "version: 2").replace("in_app", "pigeon");
    harness.processElement2(
        new StreamRecord<>(
            RuleUpdate.newBuilder()
                .setRuleId("cart-2h")
                .setPartition(0)
                .setOffset(2)
                .setRecord(
                    io.beckon.schema.RuleRecord.newBuilder()
                        .setRuleId("cart-2h")
                        .setVersion(2)
                        .setEnabled(true)
                        .setFile("cart.yaml")
                        .setYaml(broken)
                        .setPublishedAt(java.time.Instant.EPOCH)
                        .build())
                .build()));
    var rejections = harness.getSideOutput(StateNames.RULE_REJECTIONS);
    assertEquals(1, rejections.size());
    var rejection = rejections.peek().getValue();
    assertEquals("cart-2h", rejection.getRuleId());
    assertEquals(1, rejection.getVersionInForce());
    assertTrue(rejection.getReason().contains("'pigeon' is not one of"), rejection.getReason());
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().get(0).getRuleVersion());
  }

  private void offer(String key, String yaml, long offset) throws Exception {
    harness.processElement2(
        new StreamRecord<>(
            RuleUpdate.newBuilder()
                .setRuleId(key)
                .setPartition(0)
                .setOffset(offset)
                .setRecord(
                    io.beckon.schema.RuleRecord.newBuilder()
                        .setRuleId(key)
                        .setVersion(2)
                        .setEnabled(true)
                        .setFile("cart.yaml")
                        .setYaml(yaml)
                        .setPublishedAt(java.time.Instant.EPOCH)
                        .build())
                .build()));
  }

  /**
   * Hostile records that bypassed the validator: each is rejected with the validator's message, the
   * rejection stays small whatever the record's size, and version 1 keeps deciding.
   */
  @Test
  void hostileRecordsAreRejectedAndThePreviousVersionStays() throws Exception {
    String v2 = RULES.get("cart.yaml").replace("version: 1", "version: 2");
    offer("cart-2h", v2 + "x: &a [*a]\n", 2);
    offer("cart-2h", v2 + "x: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n", 3);
    offer("cart-2h", v2 + "# " + "x".repeat(300_000) + "\n", 4);
    offer(
        "cart-2h",
        v2 + "audience: {attribute: city, op: in, value: [" + "1,".repeat(1000) + "1]}\n",
        5);
    offer("k".repeat(10_000), v2, 6);
    var rejections = new java.util.ArrayList<io.beckon.schema.RuleRejection>();
    harness.getSideOutput(StateNames.RULE_REJECTIONS).forEach(r -> rejections.add(r.getValue()));
    assertEquals(
        java.util.List.of(
            "cart.yaml:5:4: error: invalid YAML: an alias refers to itself",
            "cart.yaml:1:1: error: invalid YAML: lists and mappings nested deeper than 40 levels",
            "cart.yaml:1:1: error: the file is 300,136 bytes; a rule file may be at most 262,144 bytes (256 KiB)",
            "cart.yaml:5:44: error: audience.value: 1,001 items; at most 1,000"),
        rejections.subList(0, 4).stream().map(r -> r.getReason()).toList());
    rejections.subList(0, 4).forEach(r -> assertEquals(1, r.getVersionInForce()));
    var last = rejections.get(4);
    assertEquals(256, last.getRuleId().length());
    assertTrue(last.getRuleId().endsWith("\u2026"));
    assertEquals(4096, last.getReason().length());
    assertTrue(last.getReason().startsWith("the record's key 'kkk"), last.getReason());
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().get(0).getRuleVersion());
  }

  @Test
  void aTombstoneForAnUnknownRuleIsHarmless() throws Exception {
    harness.processElement2(
        new StreamRecord<>(
            RuleUpdate.newBuilder().setRuleId("nobody").setPartition(0).setOffset(9).build()));
    assertTrue(harness.getSideOutput(StateNames.RULE_REJECTIONS) == null);
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    watermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
  }

  @Test
  void aLateErasureCancelsPendingFires() throws Exception {
    send(event("t", "u1", "push_token_registered", "2026-01-05T09:00:00Z", "{\"token\":\"tok\"}"));
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(millis("2026-01-05T10:30:00Z"));
    send(event("x", "u1", "user_erased", "2026-01-05T10:20:00Z", null));
    assertEquals(List.of("erasure"), parts("u1"), "only the erasure marker");
    watermark(Long.MAX_VALUE);
    assertTrue(harness.extractOutputValues().isEmpty(), "no send for the erased user");
    assertEquals(0, harness.numEventTimeTimers());
  }

  @Test
  void reentryHistoryIsForgottenWhenItsCooldownEnds() throws Exception {
    harness.close();
    Map<String, String> rules =
        Map.of(
            "ping.yaml",
            "id: ping\nversion: 1\ntrigger: {kind: event, event: ping}\nreentry: {cooldown: 1d}\n"
                + "message: {channel: in_app, body: pong}\n");
    harness = newHarness(rules);
    harness.open();
    publish(rules);
    send(event("p", "u1", "ping", "2026-01-05T10:00:00Z", null));
    watermark(millis("2026-01-05T10:00:00Z"));
    assertEquals(List.of("profile", "triggers", "dedup"), parts("u1"), "with the reentry history");
    watermark(millis("2026-01-06T12:00:00Z"));
    assertEquals(
        List.of("profile"), parts("u1"), "history and dedup memory expired: only the profile");
    assertEquals(0, harness.numEventTimeTimers());
  }

  @Test
  void anIdleEventsInputDoesNotReleasePendingFires() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(millis("2026-01-05T10:30:00Z"));
    harness.processWatermarkStatus1(
        org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus.IDLE);
    assertTrue(harness.extractOutputValues().isEmpty(), "idle is not the end of time");
    assertEquals(1, harness.numEventTimeTimers(), "the 12:00 fire is still pending");
  }

  @Test
  void loadingResumesWhereItStoppedAfterAFailover() throws Exception {
    harness.close();
    RuleUpdate cart = RuleUpdates.fromFiles(Map.of("cart.yaml", RULES.get("cart.yaml"))).get(0);
    RuleUpdate welcome =
        RuleUpdates.fromFiles(Map.of("welcome.yaml", RULES.get("welcome.yaml"))).get(0);
    welcome.setPartition(1);
    Map<String, Long> toLoad = Map.of("0", 0L, "1", 0L);
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new UserEngineOperator(toLoad), Event::getUserId, null, Types.STRING);
    harness.open();
    harness.processElement2(new StreamRecord<>(cart));
    var snapshot = harness.snapshot(1L, 1L);
    harness.close();

    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new UserEngineOperator(toLoad), Event::getUserId, null, Types.STRING);
    harness.initializeState(snapshot);
    harness.open();
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    watermark(Long.MAX_VALUE);
    assertTrue(harness.extractOutputValues().isEmpty(), "partition 1 not read yet: held");
    // The source resumes after the checkpointed offsets: only partition 1's record comes again.
    harness.processElement2(new StreamRecord<>(welcome));
    assertEquals(
        List.of("Welcome"),
        harness.extractOutputValues().stream().map(SendCommand::getBody).toList());
  }

  @Test
  void duplicatesHaveNoEffect() throws Exception {
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    send(event("a", "u1", "app_opened", "2026-01-05T12:00:00Z", null));
    watermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    assertTrue(
        harness.getSideOutput(StateNames.SUPPRESSIONS) == null
            || harness.getSideOutput(StateNames.SUPPRESSIONS).isEmpty());
  }

  @Test
  void anEventOverAPerUserLimitBecomesADeadLetterAndHasNoEffect() throws Exception {
    StringBuilder many = new StringBuilder("{\"attributes\":{");
    for (int i = 0; i < 257; i++) {
      many.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":1");
    }
    send(event("big", "u1", "attributes_set", "2026-01-05T10:00:00Z", many + "}}"));
    watermark(Long.MAX_VALUE);
    var letters = harness.getSideOutput(StateNames.REJECTED_EVENTS);
    assertEquals(1, letters.size());
    var letter = letters.peek().getValue();
    assertTrue(letter.getReason().contains("the limit is 256"), letter.getReason());
    assertEquals("events", letter.getTopic());
    String value = java.nio.charset.StandardCharsets.UTF_8.decode(letter.getValue()).toString();
    assertTrue(value.startsWith("{\"event_id\":\"big\""), value);
    assertEquals(List.of(), parts("u1"), "no profile, no dedup entry");
    assertEquals(0, harness.numEventTimeTimers());
  }

  @Test
  void aLateEventOverAPerUserLimitIsADeadLetterOnlyNotALateEvent() throws Exception {
    send(event("o", "u1", "app_opened", "2026-01-05T11:00:00Z", null));
    watermark(millis("2026-01-05T11:00:00Z"));
    StringBuilder many = new StringBuilder("{\"attributes\":{");
    for (int i = 0; i < 257; i++) {
      many.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":1");
    }
    send(event("big", "u1", "attributes_set", "2026-01-05T10:00:00Z", many + "}}"));
    assertEquals(1, harness.getSideOutput(StateNames.REJECTED_EVENTS).size());
    assertNull(harness.getSideOutput(StateNames.LATE_EVENTS), "malformed, so not late");
    send(event("ok", "u1", "attributes_set", "2026-01-05T10:00:00Z", "{\"attributes\":{\"x\":1}}"));
    assertEquals(1, harness.getSideOutput(StateNames.LATE_EVENTS).size());
  }

  /** A harness whose operator drops users after {@code retention} without an event. */
  private void reopenWithRetention(java.time.Duration retention) throws Exception {
    harness.close();
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new UserEngineOperator(
                RuleUpdates.toLoad(RuleUpdates.fromFiles(RULES)),
                EngineSettings.DEFAULTS.withProfileRetention(retention)),
            Event::getUserId,
            null,
            Types.STRING);
    harness.open();
    publish(RULES);
  }

  @Test
  void retentionDropsAnIdleUsersStateAndTimersButNotWhileAFireIsPending() throws Exception {
    reopenWithRetention(java.time.Duration.ofHours(1));
    send(event("o", "u1", "app_opened", "2026-01-05T10:00:00Z", "{\"platform\":\"ios\"}"));
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    watermark(millis("2026-01-05T11:30:00Z"));
    // Retention has passed, but the 12:00 cart reminder is pending: everything is kept.
    assertEquals(List.of("profile", "cart", "triggers", "attributes", "dedup"), parts("u1"));
    assertTrue(harness.numEventTimeTimers() > 0);
    watermark(millis("2026-01-05T12:00:00Z"));
    assertEquals(
        List.of("Welcome", "1 items waiting"),
        harness.extractOutputValues().stream().map(SendCommand::getBody).toList(),
        "the reminder went out");
    assertEquals(List.of(), parts("u1"), "dropped once nothing was pending");
    assertEquals(0, harness.numEventTimeTimers(), "and its wake-up went too");
    // A user who comes back starts a new life: the once-rule welcomes them again.
    send(event("o2", "u1", "app_opened", "2026-01-05T13:00:00Z", null));
    watermark(millis("2026-01-05T13:00:00Z"));
    assertEquals(3, harness.extractOutputValues().size());
  }

  @Test
  void retentionChecksOnAnHourlyGridWithOneTimer() throws Exception {
    reopenWithRetention(java.time.Duration.ofHours(2));
    send(event("p", "u1", "page_viewed", "2026-01-05T10:10:00Z", null));
    send(event("q", "u1", "page_viewed", "2026-01-05T10:20:00Z", null));
    watermark(millis("2026-01-05T10:20:00Z"));
    // One timer: the retention check at 13:00 (10:20 + 2 h, rounded up), before the dedup one.
    assertEquals(1, harness.numEventTimeTimers());
    watermark(millis("2026-01-05T12:59:59Z"));
    assertEquals(List.of("profile", "dedup"), parts("u1"), "still kept");
    watermark(millis("2026-01-05T13:00:00Z"));
    assertEquals(List.of(), parts("u1"));
    assertEquals(0, harness.numEventTimeTimers());
  }

  @Test
  void theErasureMarkerIsForgottenAfterSevenDays() throws Exception {
    send(event("x", "u1", "user_erased", "2026-01-05T10:30:00Z", null));
    watermark(millis("2026-01-05T10:30:00Z"));
    assertEquals(List.of("erasure"), parts("u1"), "the marker");
    assertEquals(1, harness.numEventTimeTimers(), "its expiry at 2026-01-12T11:00");
    watermark(millis("2026-01-12T10:59:59Z"));
    assertEquals(List.of("erasure"), parts("u1"));
    watermark(millis("2026-01-12T11:00:00Z"));
    assertEquals(List.of(), parts("u1"));
    assertEquals(0, harness.numEventTimeTimers());
  }
}
