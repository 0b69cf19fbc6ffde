package io.beckon.jobs.functions;

import io.beckon.engine.core.Expiry;
import io.beckon.engine.core.FireListener;
import io.beckon.engine.core.Outcome;
import io.beckon.engine.core.RuleChanges;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.time.Durations;
import io.beckon.schema.DeadLetter;
import io.beckon.schema.Event;
import io.beckon.schema.RuleRecord;
import io.beckon.schema.RuleRejection;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.internal.RuleUpdate;
import io.beckon.schema.state.TriggerState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The per-user engine as a two-input operator: user events keyed by user id, and rule updates
 * broadcast to every instance.
 *
 * <p>Ordering and time: events wait in keyed state until the watermark passes their instant; one
 * event-time timer per instant then applies that instant's events in event-id order and takes the
 * fires due at it. Everything else is the engine's.
 *
 * <p>Rules: accepted records live in broadcast state. Until the rules topic has been read up to the
 * offsets it had when the job was submitted, the events' watermark is held back, so no event is
 * applied and no fire is taken against an empty or partial rule set. A rule change re-schedules or
 * cancels every user's pending fires of that rule at once; this is why this is an operator and not
 * a broadcast function: it must move timers of other users than the current one.
 */
public class UserEngineOperator extends AbstractStreamOperator<SendCommand>
    implements TwoInputStreamOperator<Event, RuleUpdate, SendCommand>,
        Triggerable<String, VoidNamespace> {
  private static final long serialVersionUID = 1L;

  /** Dedup memory is swept on an hourly grid rather than with one timer per event. */
  static final long DEDUP_SWEEP_GRID = Durations.HOUR;

  private final HashMap<Integer, Long> rulesToLoad;
  private final long retention;

  private transient InternalTimerService<VoidNamespace> timers;
  private transient BroadcastState<String, RuleRecord> rulesState;
  private transient BroadcastState<String, Long> progressState;
  private transient RulesInForce rules;
  private transient Map<Integer, Long> rulesSeen;
  private transient boolean rulesLoaded;
  private transient Watermark heldWatermark;
  private transient FlinkUserStore store;
  private transient Expiry expiry;
  private transient MapState<Long, List<Event>> buffer;
  private transient ValueState<TriggerState> triggerState;
  private transient Counter applied;
  private transient Counter duplicates;
  private transient Counter eventsRejected;
  private transient Counter usersDropped;
  private transient Counter late;
  private transient Counter sends;
  private transient Counter suppressions;
  private transient Counter rulesAccepted;
  private transient Counter rulesRejected;

  /**
   * @param rulesToLoad rules-topic partition -> offset of its last record when the job was
   *     submitted: events are held until every one has been seen (empty: nothing to wait for)
   */
  public UserEngineOperator(Map<Integer, Long> rulesToLoad) {
    this(rulesToLoad, Duration.ZERO);
  }

  /**
   * @param retention event time without an event after which an idle user is dropped ({@link
   *     Expiry}); zero for never
   */
  public UserEngineOperator(Map<Integer, Long> rulesToLoad, Duration retention) {
    this.rulesToLoad = new HashMap<>(rulesToLoad);
    this.retention = retention.toMillis();
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    rulesState = context.getOperatorStateStore().getBroadcastState(StateNames.RULES);
    progressState = context.getOperatorStateStore().getBroadcastState(StateNames.RULES_PROGRESS);
  }

  @Override
  public void open() throws Exception {
    super.open();
    timers = getInternalTimerService("user-engine-timers", VoidNamespaceSerializer.INSTANCE, this);
    var keyed = getKeyedStateStore();
    triggerState = keyed.getState(StateNames.triggers());
    store =
        new FlinkUserStore(
            keyed.getState(StateNames.profile()),
            keyed.getState(StateNames.cart()),
            triggerState,
            keyed.getMapState(StateNames.attributes()),
            keyed.getMapState(StateNames.seenEvents()),
            keyed.getState(StateNames.erasure()));
    buffer = keyed.getMapState(StateNames.buffer());
    expiry = new Expiry(retention);
    rules = new RulesInForce();
    for (Map.Entry<String, RuleRecord> e : rulesState.entries()) {
      rules.restore(e.getValue());
    }
    // How far the rules topic was read, per partition, as of the restored checkpoint: after a
    // failover loading resumes where it stopped; after a resubmission it waits for the new ends.
    rulesSeen = new HashMap<>();
    for (Map.Entry<String, Long> e : progressState.entries()) {
      rulesSeen.put(Integer.parseInt(e.getKey()), e.getValue());
    }
    rulesLoaded = allRulesSeen();
    var metrics = getMetricGroup();
    applied = metrics.counter("eventsApplied");
    duplicates = metrics.counter("eventsDuplicate");
    eventsRejected = metrics.counter("eventsRejected");
    usersDropped = metrics.counter("usersDropped");
    late = metrics.counter("eventsLate");
    sends = metrics.counter("sendCommands");
    suppressions = metrics.counter("sendSuppressions");
    rulesAccepted = metrics.counter("rulesAccepted");
    rulesRejected = metrics.counter("rulesRejected");
    metrics.gauge("rulesInForce", () -> rules.size());
    // Rule updates carry no event time: that input is idle for good, so the events' watermark alone
    // decides (not MAX: an idle events input would then let every pending fire go at once).
    combinedWatermark.updateStatus(1, true);
  }

  // ---- events ----

  @Override
  public void processElement1(StreamRecord<Event> element) throws Exception {
    Event event = element.getValue();
    long time = event.getTime().toEpochMilli();
    if (time <= timers.currentWatermark()) {
      // Too late to take part in time-based triggers: only attributes, consent and tokens change
      // (and a late erasure still erases, which cancels pending fires).
      late.inc();
      output.collect(StateNames.LATE_EVENTS, new StreamRecord<>(event, time));
      TreeSet<Long> dueBefore = wakeUps(rules.engine());
      Outcome outcome = rules.engine().applyLate(AvroEvents.fromAvro(event), store);
      if (outcome.applied()) {
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, sweepTime(time));
      } else if (outcome.rejected()) {
        rejectEvent(event, outcome.reason());
      }
      syncTimers(timers.currentWatermark(), dueBefore, wakeUps(rules.engine()));
      store.flush();
      return;
    }
    List<Event> atInstant = buffer.get(time);
    if (atInstant == null) {
      atInstant = new ArrayList<>();
    }
    atInstant.add(event);
    buffer.put(time, atInstant);
    // Applies the buffered events, and takes the fires due, once the watermark passes this instant.
    timers.registerEventTimeTimer(VoidNamespace.INSTANCE, time);
  }

  @Override
  public void processWatermark1(Watermark mark) throws Exception {
    if (!rulesLoaded) {
      heldWatermark = mark; // released when the rules are loaded
      return;
    }
    super.processWatermark1(mark);
  }

  @Override
  public void processWatermark2(Watermark mark) {
    // Ignored: see open().
  }

  @Override
  protected void processWatermarkStatus(WatermarkStatus status, int index) throws Exception {
    if (index == 1) {
      return; // the rules input stays idle, see open()
    }
    super.processWatermarkStatus(status, index);
  }

  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
    long time = timer.getTimestamp();
    UserEngine engine = rules.engine();
    TreeSet<Long> dueBefore = wakeUps(engine);
    List<Event> atInstant = buffer.get(time);
    if (atInstant != null) {
      buffer.remove(time);
      applyInOrder(engine, atInstant);
    }
    engine.fireDue(
        timer.getKey(),
        time,
        store,
        new FireListener() {
          @Override
          public void sent(SendCommand command) {
            sends.inc();
            output.collect(new StreamRecord<>(command, time));
          }

          @Override
          public void suppressed(Suppression suppression) {
            suppressions.inc();
            output.collect(StateNames.SUPPRESSIONS, new StreamRecord<>(suppression, time));
          }
        });
    if (time % DEDUP_SWEEP_GRID == 0) {
      UserEngine.expireDedup(time, store);
    }
    expire(time);
    syncTimers(time, dueBefore, wakeUps(engine));
    store.flush();
  }

  @Override
  public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

  private void applyInOrder(UserEngine engine, List<Event> events) {
    List<UserEvent> batch = new ArrayList<>(events.size());
    events.forEach(e -> batch.add(AvroEvents.fromAvro(e)));
    batch.sort(UserEvent.APPLICATION_ORDER);
    for (UserEvent e : batch) {
      Outcome outcome = engine.apply(e, store);
      if (outcome.applied()) {
        applied.inc();
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, sweepTime(e.time()));
      } else if (outcome.rejected()) {
        rejectEvent(AvroEvents.toAvro(e), outcome.reason());
      } else {
        duplicates.inc();
      }
    }
  }

  /**
   * An event that would break a per-user limit is malformed: a dead letter with its JSON view as
   * the value (the original bytes are not known here) and the reason.
   */
  private void rejectEvent(Event event, String reason) {
    eventsRejected.inc();
    output.collect(
        StateNames.REJECTED_EVENTS,
        new StreamRecord<>(
            DeadLetter.newBuilder()
                .setTopic("events")
                .setPartition(-1)
                .setOffset(-1L)
                .setKey(ByteBuffer.wrap(event.getUserId().getBytes(StandardCharsets.UTF_8)))
                .setValue(
                    ByteBuffer.wrap(AvroEvents.toJson(event).getBytes(StandardCharsets.UTF_8)))
                .setReason(reason)
                .build()));
  }

  /**
   * The current user's wake-ups: the engine's (pending fires, history to prune) and the one expiry
   * check (retention, erasure marker).
   */
  private TreeSet<Long> wakeUps(UserEngine engine) {
    TreeSet<Long> times = engine.wakeUps(store.triggers());
    Long check =
        expiry.wakeUp(
            expiry.retention() > 0 ? store.profile() : null, store.triggers(), store.erasure());
    if (check != null) {
      times.add(check);
    }
    return times;
  }

  /**
   * Drops the current user if retention says so. Its dedup sweeps are deleted here, the other
   * wake-ups by {@link #syncTimers}; buffered events keep their timers (they start a new life).
   */
  private void expire(long now) throws Exception {
    if (expiry.dropsAt(now, store)) {
      usersDropped.inc();
      for (long remembered : store.rememberedEventTimes()) {
        long sweep = sweepTime(remembered);
        if (sweep > now && !buffer.contains(sweep)) {
          timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, sweep);
        }
      }
    }
    expiry.expire(now, store);
  }

  /** The first grid instant at which an id remembered at {@code time} can be forgotten. */
  static long sweepTime(long time) {
    long forgettableAfter = time + UserEngine.DEDUP_WINDOW + 1;
    return Math.floorDiv(forgettableAfter + DEDUP_SWEEP_GRID - 1, DEDUP_SWEEP_GRID)
        * DEDUP_SWEEP_GRID;
  }

  /**
   * Keeps one timer per instant with pending fires: a cancelled trigger's timer is deleted (unless
   * events or a dedup sweep still need that instant), every pending instant has one.
   */
  private void syncTimers(long now, TreeSet<Long> before, TreeSet<Long> after) throws Exception {
    for (Long t : before) {
      if (t > now && !after.contains(t) && !buffer.contains(t) && !neededForSweep(t)) {
        timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, t);
      }
    }
    for (Long t : after) {
      if (!before.contains(t)) { // every instant in before already has its timer
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, t);
      }
    }
  }

  private boolean neededForSweep(long t) {
    return t % DEDUP_SWEEP_GRID == 0
        && store.remembersEventsSweptAt(t, UserEngineOperator::sweepTime);
  }

  // ---- rules ----

  @Override
  public void processElement2(StreamRecord<RuleUpdate> element) throws Exception {
    RuleUpdate update = element.getValue();
    if (update.getError() != null) {
      reject(update.getRuleId(), null, null, update.getError());
    } else {
      UserEngine engineBefore = rules.engine();
      RulesInForce.Change change;
      try {
        change = rules.offer(update.getRuleId(), update.getRecord());
      } catch (RuntimeException e) {
        // A record the checks did not foresee must not crash the job (it would be replayed).
        change = new RulesInForce.Change(null, null, "cannot read the rule: " + e, false);
      }
      if (change.rejection() != null) {
        RuleRecord r = update.getRecord();
        reject(
            update.getRuleId(),
            r == null ? null : r.getVersion(),
            r == null ? null : r.getFile(),
            change.rejection());
      } else if (!change.noop()) {
        rulesAccepted.inc();
        if (update.getRecord() == null) {
          rulesState.remove(update.getRuleId());
        } else {
          rulesState.put(update.getRuleId(), update.getRecord());
        }
        if (change.before() != null) {
          applyToEveryUser(change, engineBefore);
        }
      }
    }
    trackLoading(update.getPartition(), update.getOffset());
  }

  /** Re-schedules or cancels the changed rule's pending fires for every user of this instance. */
  private void applyToEveryUser(RulesInForce.Change change, UserEngine engineBefore)
      throws Exception {
    KeyedStateBackend<String> users = getKeyedStateBackend();
    users.applyToAllKeys(
        VoidNamespace.INSTANCE,
        VoidNamespaceSerializer.INSTANCE,
        StateNames.triggers(),
        (String user, ValueState<TriggerState> state) -> {
          // Timers and the other state handles address the current key: make it this user.
          setCurrentKey(user);
          TriggerState before = state.value();
          if (before == null) {
            return;
          }
          TreeSet<Long> dueBefore = engineBefore.wakeUps(before);
          addExpiryCheck(before, dueBefore);
          TriggerState after = RuleChanges.apply(before, change.before(), change.after());
          if (after == null) {
            state.clear();
          } else {
            state.update(after);
          }
          TreeSet<Long> dueAfter = rules.engine().wakeUps(after);
          addExpiryCheck(after, dueAfter);
          syncTimers(Long.MIN_VALUE, dueBefore, dueAfter);
        });
  }

  /**
   * A rule change that cancels a user's last pending fire makes the retention check due again.
   * Reads the current key's profile through the store, then releases the store's cache, since the
   * caller moves on to another key.
   */
  private void addExpiryCheck(TriggerState triggers, TreeSet<Long> times) {
    Long check =
        expiry.wakeUp(expiry.retention() > 0 ? store.profile() : null, triggers, store.erasure());
    if (check != null) {
      times.add(check);
    }
    store.flush();
  }

  private void reject(String ruleId, Integer version, String file, String reason) {
    rulesRejected.inc();
    Integer inForce = rules.rule(ruleId) == null ? null : rules.rule(ruleId).version();
    LOG.warn(
        "Rejected rule record for '{}' (version {}); version in force: {}. {}",
        ruleId,
        version,
        inForce,
        reason);
    // Every instance sees every rule record; one of them reports it.
    if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
      output.collect(
          StateNames.RULE_REJECTIONS,
          new StreamRecord<>(
              RuleRejection.newBuilder()
                  .setRuleId(ruleId)
                  .setVersion(version)
                  .setFile(file)
                  .setReason(reason)
                  .setVersionInForce(inForce)
                  .build()));
    }
  }

  private void trackLoading(int partition, long offset) throws Exception {
    if (rulesSeen.getOrDefault(partition, -1L) < offset) {
      rulesSeen.put(partition, offset);
      progressState.put(Integer.toString(partition), offset);
    }
    if (rulesLoaded || !allRulesSeen()) {
      return;
    }
    rulesLoaded = true;
    LOG.info("Rules loaded ({} in force); releasing events", rules.size());
    if (heldWatermark != null) {
      super.processWatermark1(heldWatermark);
      heldWatermark = null;
    }
  }

  private boolean allRulesSeen() {
    for (Map.Entry<Integer, Long> e : rulesToLoad.entrySet()) {
      if (rulesSeen.getOrDefault(e.getKey(), -1L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
