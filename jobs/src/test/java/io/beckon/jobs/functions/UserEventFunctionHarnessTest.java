package io.beckon.jobs.functions;

import static io.beckon.jobs.TestEvents.event;
import static io.beckon.jobs.TestEvents.millis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keyed engine function on RocksDB, driven by watermarks: events wait for the watermark, fire
 * at their due instant, and leave no timers or trigger state behind once triggers complete or are
 * cancelled.
 */
class UserEventFunctionHarnessTest {
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

  private KeyedOneInputStreamOperatorTestHarness<String, Event, SendCommand> harness;

  /** Heap state, so the harness can count state entries; see the RocksDB test below. */
  @BeforeEach
  void open() throws Exception {
    harness = newHarness();
    harness.open();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Event, SendCommand> newHarness()
      throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new UserEventFunction(RULES)), Event::getUserId, Types.STRING);
  }

  @Test
  void sameBehaviourOnRocksDb() throws Exception {
    harness.close();
    harness = newHarness();
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open();
    eventsWaitForTheWatermarkAndApplyInTimeOrder();
    send(event("c", "u1", "cart_item_added", "2026-01-05T13:00:00Z", "{\"sku\":\"B\"}"));
    send(event("d", "u1", "cart_cleared", "2026-01-05T14:00:00Z", null));
    harness.processWatermark(millis("2026-01-05T14:00:00Z"));
    // The 15:00 fire was cancelled: only dedup sweeps remain, and they drain.
    harness.processWatermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    assertEquals(0, harness.numEventTimeTimers());
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void send(Event e) throws Exception {
    harness.processElement(e, e.getTime().toEpochMilli());
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
    assertEquals(2, harness.numEventTimeTimers(), "one timer per buffered instant");
    harness.processWatermark(millis("2026-01-05T10:05:00Z"));
    harness.processWatermark(millis("2026-01-05T12:04:59Z"));
    assertTrue(harness.extractOutputValues().isEmpty(), "not due before 12:05");
    harness.processWatermark(millis("2026-01-05T12:05:00Z"));
    List<SendCommand> out = harness.extractOutputValues();
    assertEquals(1, out.size());
    assertEquals("2 items waiting", out.get(0).getBody());
  }

  @Test
  void cancelledTriggerDeletesItsTimerAndState() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    harness.processWatermark(millis("2026-01-05T10:00:00Z"));
    // Timers: the 12:00 fire and the hourly dedup sweep the next day.
    assertEquals(2, harness.numEventTimeTimers());
    send(event("b", "u1", "cart_cleared", "2026-01-05T11:00:00Z", null));
    harness.processWatermark(millis("2026-01-05T11:00:00Z"));
    assertEquals(
        2,
        harness.numEventTimeTimers(),
        "the 12:00 timer was deleted; only the two dedup sweeps are left");
    harness.processWatermark(millis("2026-01-07T00:00:00Z"));
    assertEquals(0, harness.numEventTimeTimers());
    assertTrue(harness.extractOutputValues().isEmpty());
    // Only the profile (counters) remains: no triggers, cart, buffer or dedup entries.
    assertEquals(1, harness.numKeyedStateEntries());
  }

  @Test
  void completedTriggersLeaveNoTimersAndOnlyTheProfile() throws Exception {
    send(event("a", "u1", "cart_item_added", "2026-01-05T10:00:00Z", "{\"sku\":\"A\"}"));
    harness.processWatermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    assertEquals(0, harness.numEventTimeTimers());
    // profile + cart (the cart is still full after the reminder)
    assertEquals(2, harness.numKeyedStateEntries());
  }

  @Test
  void onceRuleKeepsItsHistoryButNothingElse() throws Exception {
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    send(event("b", "u1", "app_opened", "2026-01-05T11:00:00Z", null));
    harness.processWatermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    assertEquals(1, harness.getSideOutput(StateNames.SUPPRESSIONS).size());
    assertEquals(0, harness.numEventTimeTimers());
    // profile + attributes-free + trigger history for the once-rule
    assertEquals(2, harness.numKeyedStateEntries());
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
    harness.processWatermark(millis("2026-01-05T10:30:00Z"));
    send(event("late", "u1", "cart_item_added", "2026-01-05T10:10:00Z", "{\"sku\":\"B\"}"));
    assertEquals(1, harness.getSideOutput(StateNames.LATE_EVENTS).size());
    send(event("x", "u1", "user_erased", "2026-01-05T11:00:00Z", null));
    harness.processWatermark(millis("2026-01-05T11:00:00Z"));
    assertEquals(
        0, harness.numKeyedStateEntries(), "erasure deletes every state entry of the user");
    harness.processWatermark(Long.MAX_VALUE);
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
    harness.processWatermark(millis("2026-01-05T10:00:00Z"));
    // Snapshot with one event applied, one still buffered, and a fire pending.
    var snapshot = harness.snapshot(1L, 1L);
    harness.close();

    harness = newHarness();
    harness.initializeState(snapshot);
    harness.open();
    harness.processWatermark(Long.MAX_VALUE);
    List<SendCommand> out = harness.extractOutputValues();
    assertEquals(1, out.size());
    assertEquals("3 items waiting", out.get(0).getBody());
    assertEquals(millis("2026-01-05T12:00:05Z"), out.get(0).getFireTime().toEpochMilli());
  }

  @Test
  void duplicatesHaveNoEffect() throws Exception {
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    send(event("a", "u1", "app_opened", "2026-01-05T10:00:00Z", null));
    send(event("a", "u1", "app_opened", "2026-01-05T12:00:00Z", null));
    harness.processWatermark(Long.MAX_VALUE);
    assertEquals(1, harness.extractOutputValues().size());
    assertTrue(
        harness.getSideOutput(StateNames.SUPPRESSIONS) == null
            || harness.getSideOutput(StateNames.SUPPRESSIONS).isEmpty());
  }
}
