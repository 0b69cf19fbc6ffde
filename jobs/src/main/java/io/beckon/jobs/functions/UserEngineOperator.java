package io.beckon.jobs.functions;

import io.beckon.engine.core.Expiry;
import io.beckon.engine.core.FireListener;
import io.beckon.engine.core.Outcome;
import io.beckon.engine.core.RuleChanges;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.rules.RuleLimits;
import io.beckon.engine.time.Durations;
import io.beckon.schema.DeadLetter;
import io.beckon.schema.Event;
import io.beckon.schema.RuleRecord;
import io.beckon.schema.RuleRejection;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.internal.RuleUpdate;
import io.beckon.schema.state.EngineClock;
import io.beckon.schema.state.TriggerState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
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
  private final EngineSettings settings;

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
  private transient Counter internalErrors;

  /**
   * The highest watermark processed, restored from the last checkpoint. Why: Flink restarts every
   * operator's event time at MIN after a restore; without this floor an event that was late before
   * a failure would be on time after it, and could start or fire time-based triggers in the past.
   */
  private transient long floor;

  private transient ListState<EngineClock> clockState;

  /** Wall-clock time of the checkpoint this operator was restored from; null on a fresh start. */
  private transient Long restoredSavedAt;

  private transient long restoredWatermark;

  /**
   * Whether the input showed life since the restore: an on-time event, or a watermark of its own
   * above the restored one. Either ends the operator's own advance of event time.
   */
  private transient boolean inputSinceRestore;

  /**
   * @param rulesToLoad rules-topic partition -> offset of its last record when the job was
   *     submitted: events are held until every one has been seen (empty: nothing to wait for)
   */
  public UserEngineOperator(Map<Integer, Long> rulesToLoad) {
    this(rulesToLoad, EngineSettings.DEFAULTS);
  }

  public UserEngineOperator(Map<Integer, Long> rulesToLoad, EngineSettings settings) {
    this.rulesToLoad = new HashMap<>(rulesToLoad);
    this.settings = settings;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    rulesState = context.getOperatorStateStore().getBroadcastState(StateNames.RULES);
    progressState = context.getOperatorStateStore().getBroadcastState(StateNames.RULES_PROGRESS);
    // Union: after rescaling every instance sees every saved clock and takes the lowest, so no
    // instance judges events late that its predecessor would have taken.
    clockState = context.getOperatorStateStore().getUnionListState(StateNames.ENGINE_CLOCK);
    floor = Long.MIN_VALUE;
    if (context.isRestored()) {
      for (EngineClock saved : clockState.get()) {
        if (restoredSavedAt == null || saved.getWatermark() < floor) {
          floor = saved.getWatermark();
          restoredSavedAt = saved.getSavedAt();
        }
      }
      restoredWatermark = floor;
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    clockState.update(
        List.of(
            EngineClock.newBuilder()
                .setWatermark(floor)
                .setSavedAt(getProcessingTimeService().getCurrentProcessingTime())
                .build()));
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
            keyed.getState(StateNames.erasure()),
            // The heap backend hands out the stored objects themselves, which the engine edits in
            // place: copy them, or a failed input could not be rolled back. RocksDB deserializes.
            !getKeyedStateBackend().isSafeToReuseKVState());
    buffer = keyed.getMapState(StateNames.buffer());
    expiry = new Expiry(settings.profileRetention().toMillis());
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
    internalErrors = metrics.counter("internalErrors");
    metrics.gauge("rulesInForce", () -> rules.size());
    metrics.gauge("eventTimeWatermark", () -> floor);
    // Rule updates carry no event time: that input is idle for good, so the events' watermark alone
    // decides (not MAX: an idle events input would then let every pending fire go at once).
    combinedWatermark.updateStatus(1, true);
    if (restoredSavedAt != null && floor > Long.MIN_VALUE) {
      long check =
          getProcessingTimeService().getCurrentProcessingTime()
              + settings.idleTimerLag().toMillis();
      getProcessingTimeService().registerTimer(check, this::advanceWhileSilentAfterRestore);
    }
  }

  /**
   * After a restore, the sources start with no event time of their own: a silent input would hold
   * event time at the restored watermark for good, and a trigger that fell due while the job was
   * down would wait for the next event. So if no event has arrived within {@code idle.timer.lag} of
   * the restore, event time moves on as for any quiet input, counting the downtime as quiet: to the
   * restored watermark plus the wall-clock time since it was saved. It keeps moving each second
   * until the input shows life (an on-time event, or a watermark of its own above the restored one,
   * e.g. while the sources read a backlog); from then on the sources' watermarks rule again.
   */
  private void advanceWhileSilentAfterRestore(long now) throws Exception {
    if (inputSinceRestore) {
      return;
    }
    if (rulesLoaded) {
      processWatermark(new Watermark(restoredWatermark + Math.max(0, now - restoredSavedAt)));
    }
    getProcessingTimeService().registerTimer(now + 1000, this::advanceWhileSilentAfterRestore);
  }

  /**
   * Event time never goes back: a watermark at or below the floor (the restored one, or one this
   * operator advanced to while silent) is dropped.
   */
  @Override
  public void processWatermark(Watermark mark) throws Exception {
    if (mark.getTimestamp() <= floor) {
      return;
    }
    floor = mark.getTimestamp();
    super.processWatermark(mark);
  }

  // ---- events ----

  @Override
  public void processElement1(StreamRecord<Event> element) throws Exception {
    Event event = element.getValue();
    long time = event.getTime().toEpochMilli();
    if (time <= floor) {
      // Too late to take part in time-based triggers: only attributes, consent and tokens change
      // (and a late erasure still erases, which cancels pending fires).
      applyLate(event);
      return;
    }
    // An on-time event: the input's own watermarks drive event time from here (a late one does
    // not, its source's watermarks stay below the floor).
    inputSinceRestore = true;
    List<Event> atInstant = buffer.get(time);
    if (atInstant == null) {
      atInstant = new ArrayList<>();
    }
    atInstant.add(event);
    buffer.put(time, atInstant);
    // Applies the buffered events, and takes the fires due, once the watermark passes this instant.
    timers.registerEventTimeTimer(VoidNamespace.INSTANCE, time);
  }

  private void applyLate(Event event) throws Exception {
    UserEngine engine = rules.engine();
    UserEvent userEvent;
    TreeSet<Long> dueBefore;
    TreeSet<Long> dueAfter;
    Outcome outcome;
    try {
      userEvent = AvroEvents.fromAvro(event);
      dueBefore = wakeUps(engine);
      settings.faults().beforeEvent(userEvent);
      outcome = engine.applyLate(userEvent, store);
      settings.faults().afterEvent(userEvent);
      dueAfter = wakeUps(engine);
      store.flush();
    } catch (RuntimeException | StackOverflowError e) {
      store.discard();
      quarantine(event.getUserId(), describe(event), e);
      return;
    }
    if (outcome.rejected()) {
      // Malformed (over a per-user limit): a dead letter only, like any malformed record.
      rejectEvent(event, outcome.reason());
    } else {
      late.inc();
      output.collect(StateNames.LATE_EVENTS, new StreamRecord<>(event, userEvent.time()));
    }
    if (outcome.applied()) {
      timers.registerEventTimeTimer(VoidNamespace.INSTANCE, sweepTime(userEvent.time()));
    }
    syncTimers(floor, dueBefore, dueAfter);
  }

  @Override
  public void processWatermark1(Watermark mark) throws Exception {
    if (mark.getTimestamp() > restoredWatermark) {
      inputSinceRestore = true;
    }
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

  /**
   * One instant of one user: the events at it in order, then the fires due at it. Each event, and
   * then the fires together, is one unit that either takes effect completely or, when the engine
   * throws, not at all: the input is quarantined as a dead letter and the user's state stays as it
   * was before it (see {@link FlinkUserStore}), so a bug hits one input of one user, never the job.
   */
  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
    long time = timer.getTimestamp();
    String user = timer.getKey();
    UserEngine engine = rules.engine();
    TreeSet<Long> dueBefore;
    try {
      dueBefore = wakeUps(engine);
    } catch (RuntimeException e) {
      // The events and fires of this instant are still taken below, each contained on its own.
      store.discard();
      internalErrors.inc();
      LOG.error("Cannot read the pending wake-ups of user {} at {}", user, time, e);
      dueBefore = new TreeSet<>();
    }
    List<Event> atInstant = buffer.get(time);
    if (atInstant != null) {
      buffer.remove(time);
      applyInOrder(engine, atInstant);
    }
    TreeSet<Long> dueAfter;
    List<Long> sweepsOfDropped = List.of();
    List<StreamRecord<?>> fired = new ArrayList<>();
    try {
      settings.faults().beforeFires(user, time);
      engine.fireDue(
          user,
          time,
          store,
          new FireListener() {
            @Override
            public void sent(SendCommand command) {
              fired.add(new StreamRecord<>(command, time));
            }

            @Override
            public void suppressed(Suppression suppression) {
              fired.add(new StreamRecord<>(suppression, time));
            }
          });
      if (time % DEDUP_SWEEP_GRID == 0) {
        UserEngine.expireDedup(time, store);
      }
      sweepsOfDropped = expire(time);
      dueAfter = wakeUps(engine);
      store.flush();
    } catch (RuntimeException | StackOverflowError e) {
      store.discard();
      fired.clear();
      // The fires due now could not be taken: they are dropped rather than retried at every
      // watermark, which would fail again and quarantine every later input of this user.
      dueAfter = dropDue(engine, user, time);
      if (time % DEDUP_SWEEP_GRID == 0) {
        sweepDedup(user, time);
      }
      quarantine(user, timerJson(user, time), e);
    }
    emit(fired);
    for (long sweep : sweepsOfDropped) {
      timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, sweep);
    }
    syncTimers(time, dueBefore, dueAfter);
  }

  @SuppressWarnings("unchecked")
  private void emit(List<StreamRecord<?>> fired) {
    for (StreamRecord<?> record : fired) {
      if (record.getValue() instanceof SendCommand) {
        sends.inc();
        output.collect((StreamRecord<SendCommand>) record);
      } else {
        suppressions.inc();
        output.collect(StateNames.SUPPRESSIONS, (StreamRecord<Suppression>) record);
      }
    }
  }

  private TreeSet<Long> dropDue(UserEngine engine, String user, long time) {
    try {
      UserEngine.dropDue(time, store);
      TreeSet<Long> due = wakeUps(engine);
      store.flush();
      return due;
    } catch (RuntimeException e) {
      store.discard();
      LOG.error("Cannot drop the fires due at {} for user {}", time, user, e);
      return new TreeSet<>();
    }
  }

  private void sweepDedup(String user, long time) {
    try {
      UserEngine.expireDedup(time, store);
      store.flush();
    } catch (RuntimeException e) {
      store.discard();
      LOG.error("Cannot expire the dedup memory of user {} at {}", user, time, e);
    }
  }

  @Override
  public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

  /** The events of one instant in application order: event time, then event id. */
  private static final java.util.Comparator<Event> APPLICATION_ORDER =
      java.util.Comparator.comparing(Event::getTime).thenComparing(Event::getEventId);

  private void applyInOrder(UserEngine engine, List<Event> events) throws Exception {
    List<Event> batch = new ArrayList<>(events);
    batch.sort(APPLICATION_ORDER);
    for (Event event : batch) {
      UserEvent e;
      Outcome outcome;
      try {
        e = AvroEvents.fromAvro(event);
        settings.faults().beforeEvent(e);
        outcome = engine.apply(e, store);
        settings.faults().afterEvent(e);
        store.flush();
      } catch (RuntimeException | StackOverflowError failure) {
        store.discard();
        quarantine(event.getUserId(), describe(event), failure);
        continue;
      }
      if (outcome.applied()) {
        applied.inc();
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, sweepTime(e.time()));
      } else if (outcome.rejected()) {
        rejectEvent(event, outcome.reason());
      } else {
        duplicates.inc();
      }
    }
  }

  /** The JSON view of an event for a dead letter; its ids alone if even that fails. */
  private static String describe(Event event) {
    try {
      return AvroEvents.toJson(event);
    } catch (RuntimeException e) {
      var node = io.beckon.engine.json.Json.object();
      node.put("event_id", event.getEventId());
      node.put("user_id", event.getUserId());
      node.put("type", event.getType());
      node.put("time", String.valueOf(event.getTime()));
      return io.beckon.engine.json.Json.write(node);
    }
  }

  /**
   * Writes an input whose handling threw to the dead-letter topic: key the user id, value the
   * input's JSON view, reason {@code internal error: <first line>}. The source position is not
   * known here, so the dead letter names this operator instead.
   */
  private void quarantine(String user, String inputJson, Throwable error) {
    internalErrors.inc();
    LOG.error("Internal error for user {}; input quarantined: {}", user, inputJson, error);
    // The dead-letter sink caps the reason at 1 KiB.
    String firstLine = String.valueOf(error).lines().findFirst().orElse("");
    output.collect(
        StateNames.DEAD_LETTERS,
        new StreamRecord<>(
            DeadLetter.newBuilder()
                .setTopic(QUARANTINE_TOPIC)
                .setPartition(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask())
                .setOffset(-1)
                .setKey(ByteBuffer.wrap(user.getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(inputJson.getBytes(StandardCharsets.UTF_8)))
                .setReason("internal error: " + firstLine)
                .build()));
  }

  /** The {@code topic} of dead letters written by this operator. */
  public static final String QUARANTINE_TOPIC = "beckon.user-engine";

  private static String timerJson(String user, long time) {
    var node = io.beckon.engine.json.Json.object();
    node.put("user_id", user);
    node.put("fires_due_at", java.time.Instant.ofEpochMilli(time).toString());
    return io.beckon.engine.json.Json.write(node);
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
                .setTopic(settings.eventsTopic())
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
   * Drops the current user if retention says so, and returns the dedup sweeps of the dropped user,
   * for the caller to delete once the drop is written; the other wake-ups go by {@link
   * #syncTimers}, and buffered events keep their timers (they start a new life).
   */
  private List<Long> expire(long now) throws Exception {
    List<Long> sweeps = new ArrayList<>();
    if (expiry.dropsAt(now, store)) {
      usersDropped.inc();
      for (long remembered : store.rememberedEventTimes()) {
        long sweep = sweepTime(remembered);
        if (sweep > now && !buffer.contains(sweep)) {
          sweeps.add(sweep);
        }
      }
    }
    expiry.expire(now, store);
    return sweeps;
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
      } catch (RuntimeException | StackOverflowError e) {
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
          try {
            TriggerState before = state.value();
            if (before == null) {
              return;
            }
            TreeSet<Long> dueBefore = engineBefore.wakeUps(before);
            addExpiryCheck(before, dueBefore);
            // Changed on a copy: until it is written, the stored state is the one from before.
            TriggerState after =
                RuleChanges.apply(
                    TriggerState.newBuilder(before).build(), change.before(), change.after());
            TreeSet<Long> dueAfter = rules.engine().wakeUps(after);
            addExpiryCheck(after, dueAfter);
            if (after == null) {
              state.clear();
            } else {
              state.update(after);
            }
            syncTimers(Long.MIN_VALUE, dueBefore, dueAfter);
          } catch (RuntimeException | StackOverflowError e) {
            // This user keeps the pending fires as they were; everyone else gets the change.
            internalErrors.inc();
            LOG.error("Cannot apply a rule change to the pending fires of user {}", user, e);
          } finally {
            store.discard();
          }
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
    store.discard();
  }

  private void reject(String ruleId, Integer version, String file, String reason) {
    rulesRejected.inc();
    Integer inForce = rules.rule(ruleId) == null ? null : rules.rule(ruleId).version();
    // Clipped: a hostile record (a megabyte key or file name, thousands of problems) must not make
    // its log line huge or its rejection record too big to write.
    ruleId = clip(ruleId, RuleLimits.REJECTION_NAME_CHARS);
    file = file == null ? null : clip(file, RuleLimits.REJECTION_NAME_CHARS);
    reason = clip(reason, RuleLimits.REJECTION_REASON_CHARS);
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

  /** The first {@code max} characters of {@code s}, ending in "…" when cut. */
  static String clip(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = max - 1;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "\u2026";
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
