package io.beckon.jobs.functions;

import static io.beckon.jobs.TestEvents.event;
import static io.beckon.jobs.TestEvents.millis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.event.UserEvent;
import io.beckon.jobs.rules.RuleUpdates;
import io.beckon.schema.DeadLetter;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.schema.internal.RuleUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine operator under failure: inputs whose handling throws are quarantined without touching
 * the user's state, and event time survives a restore (late stays late; a silent restart still
 * fires what fell due while the job was down, within the idle lag).
 */
class EngineResilienceHarnessTest {
  static final Map<String, String> RULES = UserEngineOperatorHarnessTest.RULES;
  static final Duration IDLE_LAG = Duration.ofSeconds(60);
  static final long WALL = 1_800_000_000_000L;

  private KeyedTwoInputStreamOperatorTestHarness<String, Event, RuleUpdate, SendCommand> harness;

  /** Null: the harness's heap backend. */
  private org.apache.flink.runtime.state.StateBackend backend;

  private void open(EngineSettings.FaultInjector faults, OperatorSubtaskState restoreFrom, long now)
      throws Exception {
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new UserEngineOperator(
                RuleUpdates.toLoad(RuleUpdates.fromFiles(RULES)),
                new EngineSettings(IDLE_LAG, Duration.ZERO, "events", 1000, faults)),
            Event::getUserId,
            null,
            Types.STRING);
    harness.setProcessingTime(now);
    if (backend != null) {
      harness.setStateBackend(backend);
    }
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    if (restoreFrom == null) {
      for (RuleUpdate update : RuleUpdates.fromFiles(RULES)) {
        harness.processElement2(new StreamRecord<>(update));
      }
    }
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void send(Event e) throws Exception {
    harness.processElement1(e, e.getTime().toEpochMilli());
  }

  private void watermark(String time) throws Exception {
    harness.processWatermark1(new Watermark(millis(time)));
  }

  private List<DeadLetter> deadLetters() {
    ConcurrentLinkedQueue<StreamRecord<DeadLetter>> out =
        harness.getSideOutput(StateNames.DEAD_LETTERS);
    return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
  }

  private static Event cartAdd(String id, String user, String time) {
    return event(id, user, "cart_item_added", time, "{\"sku\":\"A\"}");
  }

  // ---- time across restores ----

  /** A snapshot at watermark 10:30 with u1's cart reminder due at 12:00; the harness closed. */
  private OperatorSubtaskState snapshotWithAReminderDueAtNoon() throws Exception {
    open(EngineSettings.FaultInjector.NONE, null, WALL);
    send(cartAdd("a", "u1", "2026-01-05T10:00:00Z"));
    watermark("2026-01-05T10:30:00Z");
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();
    return snapshot;
  }

  @Test
  void anEventLateBeforeARestoreIsLateAfterIt() throws Exception {
    open(EngineSettings.FaultInjector.NONE, null, WALL);
    send(event("o", "u1", "app_opened", "2026-01-05T10:30:00Z", null));
    watermark("2026-01-05T10:30:00Z");
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    open(EngineSettings.FaultInjector.NONE, snapshot, WALL);
    send(cartAdd("late", "u1", "2026-01-05T10:10:00Z"));
    assertEquals(1, harness.getSideOutput(StateNames.LATE_EVENTS).size(), "still late");
    watermark("2026-01-05T10:40:00Z");
    harness.processWatermark1(new Watermark(Long.MAX_VALUE));
    assertTrue(
        harness.extractOutputValues().stream().noneMatch(c -> c.getRuleId().equals("cart-2h")),
        "a late cart change arms no cart reminder");
  }

  @Test
  void aTriggerDueDuringTheDowntimeFiresWithinTheIdleLagOfASilentRestart() throws Exception {
    OperatorSubtaskState snapshot = snapshotWithAReminderDueAtNoon();

    // Down for two hours of wall-clock time; back with no event at all.
    long restart = WALL + Duration.ofHours(2).toMillis();
    open(EngineSettings.FaultInjector.NONE, snapshot, restart);
    // A late event is no sign of life: its source's watermarks are still behind.
    send(event("old", "u3", "app_opened", "2026-01-05T09:00:00Z", null));
    harness.setProcessingTime(restart + IDLE_LAG.toMillis() - 1);
    assertTrue(harness.extractOutputValues().isEmpty(), "not before the idle lag has passed");
    harness.setProcessingTime(restart + IDLE_LAG.toMillis());
    List<SendCommand> out = harness.extractOutputValues();
    assertEquals(1, out.size());
    assertEquals(millis("2026-01-05T12:00:00Z"), out.get(0).getFireTime().toEpochMilli());
  }

  @Test
  void anEventAfterTheRestoreHandsTimeBackToTheInput() throws Exception {
    OperatorSubtaskState snapshot = snapshotWithAReminderDueAtNoon();

    long restart = WALL + Duration.ofHours(2).toMillis();
    open(EngineSettings.FaultInjector.NONE, snapshot, restart);
    send(event("o", "u2", "app_opened", "2026-01-05T10:31:00Z", null));
    harness.setProcessingTime(restart + IDLE_LAG.toMillis() + 10_000);
    assertTrue(
        harness.extractOutputValues().isEmpty(),
        "the input is not silent: its own watermarks decide, and they are at 10:30");
  }

  @Test
  void aWatermarkOfTheInputAfterTheRestoreAlsoEndsTheOperatorsOwnAdvance() throws Exception {
    OperatorSubtaskState snapshot = snapshotWithAReminderDueAtNoon();

    long restart = WALL + Duration.ofHours(2).toMillis();
    open(EngineSettings.FaultInjector.NONE, snapshot, restart);
    // The sources read a backlog whose events go to other instances: only their watermarks come.
    watermark("2026-01-05T10:31:00Z");
    harness.setProcessingTime(restart + IDLE_LAG.toMillis() + 10_000);
    assertTrue(harness.extractOutputValues().isEmpty(), "the backlog's watermarks decide");
  }

  // ---- containment ----

  /** Throws for every event of user "bad" whose id starts with "boom". */
  static final class FailingEvents implements EngineSettings.FaultInjector {
    @Override
    public void beforeEvent(UserEvent event) {
      if (event.userId().equals("bad") && event.eventId().startsWith("boom")) {
        throw new IllegalStateException("injected failure\nsecond line");
      }
    }
  }

  /** Throws when the fires due for user "bad" at 12:00 are taken. */
  static final class FailingFires implements EngineSettings.FaultInjector {
    @Override
    public void beforeFires(String userId, long time) {
      if (userId.equals("bad") && time == millis("2026-01-05T12:00:00Z")) {
        throw new IllegalArgumentException("injected fire failure");
      }
    }
  }

  @Test
  void anEventThatMakesTheEngineThrowIsQuarantinedAndTheUsersStateStaysAsBefore() throws Exception {
    open(new FailingEvents(), null, WALL);
    send(cartAdd("a", "bad", "2026-01-05T10:00:00Z"));
    send(event("boom-1", "bad", "cart_cleared", "2026-01-05T10:30:00Z", null));
    send(cartAdd("a", "good", "2026-01-05T10:00:00Z"));
    harness.processWatermark1(new Watermark(Long.MAX_VALUE));

    List<DeadLetter> letters = deadLetters();
    assertEquals(1, letters.size());
    DeadLetter letter = letters.get(0);
    assertEquals(
        "internal error: java.lang.IllegalStateException: injected failure", letter.getReason());
    assertEquals(UserEngineOperator.QUARANTINE_TOPIC, letter.getTopic());
    assertEquals("bad", StandardCharsets.UTF_8.decode(letter.getKey()).toString());
    String value = StandardCharsets.UTF_8.decode(letter.getValue()).toString();
    assertTrue(value.contains("\"event_id\":\"boom-1\""), value);
    // The clear never happened: both carts are still there and both reminders fire.
    assertEquals(
        List.of("bad", "good"),
        harness.extractOutputValues().stream().map(SendCommand::getUserId).sorted().toList());
  }

  /** Throws after user "bad"'s events were applied, before their changes are written. */
  static final class FailingAfterApply implements EngineSettings.FaultInjector {
    @Override
    public void afterEvent(UserEvent event) {
      if (event.userId().equals("bad") && event.eventId().startsWith("boom")) {
        throw new IllegalStateException("injected failure after the change");
      }
    }
  }

  @Test
  void aHalfAppliedEventIsRolledBackOnTheHeapBackend() throws Exception {
    aHalfAppliedEventIsRolledBack();
  }

  @Test
  void aHalfAppliedEventIsRolledBackOnRocksDb() throws Exception {
    backend = new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend();
    aHalfAppliedEventIsRolledBack();
  }

  private void aHalfAppliedEventIsRolledBack() throws Exception {
    open(new FailingAfterApply(), null, WALL);
    send(cartAdd("a", "bad", "2026-01-05T10:00:00Z"));
    // The clear empties the cart and disarms the reminder, in place, before the failure.
    send(event("boom-1", "bad", "cart_cleared", "2026-01-05T10:30:00Z", null));
    harness.processWatermark1(new Watermark(Long.MAX_VALUE));
    assertEquals(1, deadLetters().size());
    List<SendCommand> out = harness.extractOutputValues();
    assertEquals(1, out.size(), "the clear was rolled back: the reminder still fires");
    assertEquals("1 items waiting", out.get(0).getBody());
  }

  @Test
  void aFailureWhileFiresAreTakenQuarantinesThatInstantOnly() throws Exception {
    open(new FailingFires(), null, WALL);
    send(cartAdd("a", "bad", "2026-01-05T10:00:00Z"));
    send(cartAdd("a", "good", "2026-01-05T10:00:00Z"));
    harness.processWatermark1(new Watermark(Long.MAX_VALUE));

    assertEquals(
        List.of("good"),
        harness.extractOutputValues().stream().map(SendCommand::getUserId).toList());
    List<DeadLetter> letters = deadLetters();
    assertEquals(1, letters.size());
    assertEquals(
        "internal error: java.lang.IllegalArgumentException: injected fire failure",
        letters.get(0).getReason());
    assertEquals(
        "{\"user_id\":\"bad\",\"fires_due_at\":\"2026-01-05T12:00:00Z\"}",
        StandardCharsets.UTF_8.decode(letters.get(0).getValue()).toString());
    assertEquals(0, harness.numEventTimeTimers(), "the dropped fire is not retried");
    // "bad" keeps profile and cart, and its dedup memory was still forgotten: like "good".
    harness.snapshot(1L, 1L); // writes the operator's cache back to keyed state
    assertEquals(2, harness.numKeyedStateEntries(), "one record per user");
    UserEngineOperator operator = (UserEngineOperator) harness.getOperator();
    var records = operator.getKeyedStateStore().getState(StateNames.userRecord());
    for (String user : List.of("bad", "good")) {
      operator.setCurrentKey(user);
      var record = records.value();
      assertTrue(record.getProfile() != null && record.getCart() != null, user);
      assertTrue(record.getTriggers() == null && record.getSeenEvents().isEmpty(), user);
    }
  }
}
