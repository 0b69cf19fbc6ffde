package io.beckon.jobs.functions;

import io.beckon.engine.core.Expiry;
import io.beckon.engine.core.FireListener;
import io.beckon.engine.core.JourneyChanges;
import io.beckon.engine.core.Outcome;
import io.beckon.engine.core.RuleChanges;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.journey.Journey;
import io.beckon.engine.rules.RuleLimits;
import io.beckon.engine.rules.RulesValidator;
import io.beckon.engine.rules.Trigger;
import io.beckon.jobs.rules.RuleUpdates;
import io.beckon.schema.Conversion;
import io.beckon.schema.DeadLetter;
import io.beckon.schema.Event;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.PoliciesRecord;
import io.beckon.schema.RuleRecord;
import io.beckon.schema.RuleRejection;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.internal.RuleUpdate;
import io.beckon.schema.state.EngineClock;
import io.beckon.schema.state.PendingSweep;
import io.beckon.schema.state.TriggerState;
import io.beckon.schema.state.UserRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimeServiceManager;
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
 * <p>Ordering and time: on-time events wait in an in-memory {@link ReorderBuffer} until the
 * watermark passes their instant; the operator then runs each user's instant (its events in
 * application order, then the fires due at it), instant by instant, and in between lets every
 * user's timer due before the next instant fire. Each user has at most one event-time timer: their
 * next wake-up ({@link UserEngine#nextWakeUp}), kept in their record so it can be moved. State is
 * one {@link UserRecord} per user behind a write-back {@link UserRecordCache}. Everything else is
 * the engine's.
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

  /**
   * The layout of this operator's state, saved with every checkpoint (see {@link EngineClock}): 2
   * is one {@link UserRecord} per user and the reorder buffer in operator state. A checkpoint of
   * another layout is refused rather than misread.
   */
  public static final int STATE_FORMAT = 2;

  private final HashMap<String, Long> rulesToLoad;
  private final EngineSettings settings;

  private transient InternalTimerService<VoidNamespace> timers;
  private transient BroadcastState<String, RuleRecord> rulesState;
  private transient BroadcastState<String, PoliciesRecord> policiesState;
  private transient BroadcastState<String, Long> progressState;
  private transient RulesInForce rules;
  private transient Map<String, Long> rulesSeen;
  private transient boolean rulesLoaded;
  private transient Watermark heldWatermark;
  private transient FlinkUserStore store;
  private transient UserRecordCache cache;
  private transient ValueState<UserRecord> records;
  private transient Expiry expiry;
  private transient ReorderBuffer buffer;
  private transient ListState<Event> bufferState;
  private transient Counter applied;
  private transient Counter duplicates;
  private transient Counter eventsRejected;
  private transient Counter usersDropped;
  private transient Counter late;
  private transient Counter sends;
  private transient Counter suppressions;
  private transient Counter conversions;
  private transient Counter journeyEvents;
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

  /** Rule changes still on their way to every user; event time waits for them. */
  private transient ChangeSweeps sweeps;

  private transient ListState<PendingSweep> sweepState;

  /** The change {@link #sweeps} is applying, parsed once per sweep, and what it was parsed from. */
  private transient PendingSweep parsedSweep;

  private transient RulesInForce.Change parsedChange;

  /**
   * How many users a rule change reaches per turn of the task thread: between turns, records,
   * checkpoint barriers and timers go on as usual (about 0.1 s per turn for users with pending
   * fires on this machine's RocksDB).
   */
  static final int SWEEP_SLICE_USERS = 1_000;

  /** The latest on-time event time this instance applied (the horizon at a bounded end). */
  private transient long lastEventTime;

  /**
   * Fires after this instant arm no next yearly occurrence: the end of time while events flow, the
   * input's last event time once a bounded input ended (contract section 8).
   */
  private transient long horizon;

  /** Wall-clock time of the checkpoint this operator was restored from; null on a fresh start. */
  private transient Long restoredSavedAt;

  private transient long restoredWatermark;

  /**
   * Whether the input showed life since the restore: an on-time event, or a watermark of its own
   * above the restored one. Either ends the operator's own advance of event time.
   */
  private transient boolean inputSinceRestore;

  /**
   * @param rulesToLoad rules or policies partition ({@link RuleUpdates#progressKey}) -> offset of
   *     its last record when the job was submitted: events are held until every one has been seen
   *     (empty: nothing to wait for)
   */
  public UserEngineOperator(Map<String, Long> rulesToLoad) {
    this(rulesToLoad, EngineSettings.DEFAULTS);
  }

  public UserEngineOperator(Map<String, Long> rulesToLoad, EngineSettings settings) {
    this.rulesToLoad = new HashMap<>(rulesToLoad);
    this.settings = settings;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    rulesState = context.getOperatorStateStore().getBroadcastState(StateNames.RULES);
    policiesState = context.getOperatorStateStore().getBroadcastState(StateNames.POLICIES);
    progressState = context.getOperatorStateStore().getBroadcastState(StateNames.RULES_PROGRESS);
    // Union: after rescaling every instance sees every saved clock and takes the lowest, so no
    // instance judges events late that its predecessor would have taken.
    clockState = context.getOperatorStateStore().getUnionListState(StateNames.ENGINE_CLOCK);
    // Union too: each instance takes back the buffered events of the key groups it now owns.
    bufferState = context.getOperatorStateStore().getUnionListState(StateNames.REORDER_BUFFER);
    // Union too: a change an instance had not finished is applied again by every instance.
    sweepState = context.getOperatorStateStore().getUnionListState(StateNames.PENDING_SWEEPS);
    sweeps = new ChangeSweeps();
    buffer = new ReorderBuffer();
    floor = Long.MIN_VALUE;
    lastEventTime = Long.MIN_VALUE;
    horizon = Long.MAX_VALUE;
    if (context.isRestored()) {
      for (EngineClock saved : clockState.get()) {
        refuseOtherFormats(saved.getStateFormat());
        if (restoredSavedAt == null || saved.getWatermark() < floor) {
          floor = saved.getWatermark();
          restoredSavedAt = saved.getSavedAt();
        }
      }
      if (restoredSavedAt == null) {
        refuseOtherFormats(0); // written before the clock existed
      }
      restoredWatermark = floor;
      var task = getRuntimeContext().getTaskInfo();
      int maxParallelism = task.getMaxNumberOfParallelSubtasks();
      var owned =
          KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
              maxParallelism, task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
      sweeps.restore(sweepState.get());
      buffer.restore(
          bufferState.get(),
          user -> owned.contains(KeyGroupRangeAssignment.assignToKeyGroup(user, maxParallelism)));
    }
  }

  /** A checkpoint of another state layout must not be read as this one: stop with the reason. */
  private static void refuseOtherFormats(int format) {
    if (format != STATE_FORMAT) {
      throw new IllegalStateException(
          "This checkpoint or savepoint holds user-engine state format "
              + (format == 0 ? "0 (from before formats were recorded)" : format)
              + ", but this job reads format "
              + STATE_FORMAT
              + " only (one record per user; see the README, 'State format'). It cannot be"
              + " converted: start the job without it (no -s), which rebuilds profiles from the"
              + " events topic as far as its retention reaches, or run the Beckon version that"
              + " wrote it.");
    }
  }

  /**
   * Every changed record goes from the cache to keyed state first: Flink snapshots keyed state
   * after this method, so the checkpoint holds every change.
   */
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    cache.writeBack();
    super.snapshotState(context);
    clockState.update(
        List.of(
            EngineClock.newBuilder()
                .setWatermark(floor)
                .setSavedAt(getProcessingTimeService().getCurrentProcessingTime())
                .setStateFormat(STATE_FORMAT)
                .build()));
    bufferState.update(buffer.all());
    sweepState.update(sweeps.pending());
  }

  @Override
  public void open() throws Exception {
    super.open();
    timers = getInternalTimerService("user-engine-timers", VoidNamespaceSerializer.INSTANCE, this);
    records = getKeyedStateStore().getState(StateNames.userRecord());
    cache = new UserRecordCache(new KeyedRecords(), settings.cachedUsers());
    store = new FlinkUserStore(cache, () -> (String) getCurrentKey());
    expiry = new Expiry(settings.profileRetention().toMillis());
    rules = new RulesInForce();
    for (Map.Entry<String, RuleRecord> e : rulesState.entries()) {
      rules.restore(e.getValue());
    }
    PoliciesRecord policies = policiesState.get(RuleUpdates.POLICIES_KEY);
    if (policies != null) {
      rules.restorePolicies(policies);
    }
    // How far the rules topic was read, per partition, as of the restored checkpoint: after a
    // failover loading resumes where it stopped; after a resubmission it waits for the new ends.
    rulesSeen = new HashMap<>();
    for (Map.Entry<String, Long> e : progressState.entries()) {
      rulesSeen.put(e.getKey(), e.getValue());
    }
    rulesLoaded = allRulesSeen();
    if (!sweeps.isEmpty()) {
      // Changes a failure interrupted reach every user again (a no-op for those they reached).
      getProcessingTimeService()
          .registerTimer(getProcessingTimeService().getCurrentProcessingTime(), this::sweepSlice);
    }
    var metrics = getMetricGroup();
    applied = metrics.counter("eventsApplied");
    duplicates = metrics.counter("eventsDuplicate");
    eventsRejected = metrics.counter("eventsRejected");
    usersDropped = metrics.counter("usersDropped");
    late = metrics.counter("eventsLate");
    sends = metrics.counter("sendCommands");
    suppressions = metrics.counter("sendSuppressions");
    conversions = metrics.counter("conversions");
    journeyEvents = metrics.counter("journeyEvents");
    rulesAccepted = metrics.counter("rulesAccepted");
    rulesRejected = metrics.counter("rulesRejected");
    internalErrors = metrics.counter("internalErrors");
    metrics.gauge("rulesInForce", () -> rules.size());
    metrics.gauge("invalidDateValues", () -> rules.engine().invalidDateValues());
    metrics.gauge("eventTimeWatermark", () -> floor);
    metrics.gauge("bufferedEvents", () -> buffer.size());
    metrics.gauge("cachedUsers", () -> cache.size());
    // Event time waits while a rule change is on its way to every user: this says why.
    metrics.gauge("ruleChangesPending", () -> sweeps.size());
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
    if (rulesLoaded && sweeps.isEmpty()) {
      processWatermark(new Watermark(restoredWatermark + Math.max(0, now - restoredSavedAt)));
    }
    getProcessingTimeService().registerTimer(now + 1000, this::advanceWhileSilentAfterRestore);
  }

  /**
   * Event time never goes back: a watermark at or below the floor (the restored one, or one this
   * operator advanced to while silent) is dropped. A new watermark first runs every buffered
   * instant it passes, in time order, letting the timers due before each instant fire first; then
   * the timers up to the watermark.
   */
  @Override
  public void processWatermark(Watermark mark) throws Exception {
    if (mark.getTimestamp() <= floor) {
      return;
    }
    floor = mark.getTimestamp();
    if (floor == Long.MAX_VALUE) {
      horizon = settings.inputEnd() != null ? settings.inputEnd() : lastEventTime;
    }
    InternalTimeServiceManager<?> timeServices = getTimeServiceManager().orElseThrow();
    Long instant;
    while ((instant = buffer.firstInstant()) != null && instant <= floor) {
      // Per user, instants run in time order: a wake-up before this instant goes first.
      timeServices.advanceWatermark(new Watermark(instant - 1));
      for (Map.Entry<String, List<Event>> user : buffer.pollFirstInstant().entrySet()) {
        setCurrentKey(user.getKey());
        runInstant(user.getKey(), instant, user.getValue());
      }
    }
    super.processWatermark(mark);
    cache.evictBeyondCapacity();
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
    lastEventTime = Math.max(lastEventTime, time);
    buffer.add(event);
  }

  private void applyLate(Event event) throws Exception {
    UserEngine engine = rules.engine();
    Long registered = registeredWakeUp(event.getUserId());
    UserEvent userEvent;
    Long next;
    Outcome outcome;
    try {
      userEvent = AvroEvents.fromAvro(event);
      // What the watermark has passed is forgotten, as for an on-time instant.
      UserEngine.forgetDedupThrough(floor, store);
      settings.faults().beforeEvent(userEvent);
      // Fires up to the watermark were taken: a date it changes re-arms from the next instant.
      outcome = engine.applyLate(userEvent, store, floor + 1);
      settings.faults().afterEvent(userEvent);
      next = engine.nextWakeUp(store, expiry);
      store.wakeUp(next);
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
    moveWakeUp(registered, next, floor);
    cache.evictBeyondCapacity();
  }

  @Override
  public void processWatermark1(Watermark mark) throws Exception {
    if (mark.getTimestamp() > restoredWatermark) {
      inputSinceRestore = true;
    }
    if (rulesLoaded && !sweeps.isEmpty() && mark.getTimestamp() == Long.MAX_VALUE) {
      // The end of a bounded input: no more turns will come, so the changes finish now.
      sweeps.step(Integer.MAX_VALUE, this::users, this::applyChange);
    }
    if (!rulesLoaded || !sweeps.isEmpty()) {
      // Released when the rules are loaded and every change has reached every user.
      heldWatermark = mark;
      return;
    }
    super.processWatermark1(mark);
  }

  /** Lets the held watermark through once the rules are loaded and no change is on its way. */
  private void releaseHeldWatermark() throws Exception {
    if (rulesLoaded && sweeps.isEmpty() && heldWatermark != null) {
      Watermark mark = heldWatermark;
      heldWatermark = null;
      super.processWatermark1(mark);
    }
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

  /** A user's wake-up: the instant with nothing buffered, only fires or housekeeping due. */
  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
    runInstant(timer.getKey(), timer.getTimestamp(), List.of());
  }

  /**
   * One instant of one user (the current key): the events at it in order, then the fires due at it,
   * then the user's next wake-up. Each event, and then the fires together, is one unit that either
   * takes effect completely or, when the engine throws, not at all: the input is quarantined as a
   * dead letter and the user's state stays as it was before it (see {@link FlinkUserStore}), so a
   * bug hits one input of one user, never the job.
   */
  private void runInstant(String user, long time, List<Event> events) throws Exception {
    UserEngine engine = rules.engine();
    Long registered = registeredWakeUp(user);
    try {
      UserEngine.openInstant(time, store);
      store.flush();
    } catch (RuntimeException e) {
      store.discard();
      internalErrors.inc();
      LOG.error("Cannot open instant {} of user {}", time, user, e);
    }
    for (Event event : events) {
      applyOnTime(engine, event);
    }
    Long next;
    Outputs fired = new Outputs(time);
    try {
      settings.faults().beforeFires(user, time);
      engine.fireDue(user, time, store, fired, horizon);
      if (expiry.expire(time, store)) {
        usersDropped.inc();
      }
      UserEngine.closeInstant(time, store);
      next = engine.nextWakeUp(store, expiry);
      store.wakeUp(next);
      store.flush();
    } catch (RuntimeException | StackOverflowError e) {
      store.discard();
      fired.clear();
      // The fires due now could not be taken: they are dropped rather than retried at every
      // watermark, which would fail again and quarantine every later input of this user.
      next = dropDue(engine, user, time);
      quarantine(user, timerJson(user, time), e);
    }
    emit(fired);
    moveWakeUp(registered, next, time);
  }

  /**
   * What the engine decides within one unit (an event, or an instant's fires), held back until the
   * unit's state is committed: a unit that fails emits nothing.
   */
  private static final class Outputs implements FireListener {
    private final long time;
    private final List<StreamRecord<?>> records = new ArrayList<>();

    Outputs(long time) {
      this.time = time;
    }

    @Override
    public void sent(SendCommand command) {
      records.add(new StreamRecord<>(command, time));
    }

    @Override
    public void suppressed(Suppression suppression) {
      records.add(new StreamRecord<>(suppression, time));
    }

    @Override
    public void converted(Conversion conversion) {
      records.add(new StreamRecord<>(conversion, time));
    }

    @Override
    public void journey(JourneyEvent event) {
      records.add(new StreamRecord<>(event, time));
    }

    void clear() {
      records.clear();
    }
  }

  @SuppressWarnings("unchecked")
  private void emit(Outputs fired) {
    for (StreamRecord<?> record : fired.records) {
      if (record.getValue() instanceof SendCommand) {
        sends.inc();
        output.collect((StreamRecord<SendCommand>) record);
      } else if (record.getValue() instanceof Suppression) {
        suppressions.inc();
        output.collect(StateNames.SUPPRESSIONS, (StreamRecord<Suppression>) record);
      } else if (record.getValue() instanceof JourneyEvent) {
        journeyEvents.inc();
        output.collect(StateNames.JOURNEY_EVENTS, (StreamRecord<JourneyEvent>) record);
      } else {
        conversions.inc();
        output.collect(StateNames.CONVERSIONS, (StreamRecord<Conversion>) record);
      }
    }
  }

  /** Drops the fires due at {@code time}; returns the user's next wake-up afterwards. */
  private Long dropDue(UserEngine engine, String user, long time) {
    try {
      UserEngine.dropDue(time, store);
      UserEngine.closeInstant(time, store);
      Long next = engine.nextWakeUp(store, expiry);
      store.wakeUp(next);
      store.flush();
      return next;
    } catch (RuntimeException e) {
      store.discard();
      LOG.error("Cannot drop the fires due at {} for user {}", time, user, e);
      return registeredWakeUp(user);
    }
  }

  @Override
  public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

  private void applyOnTime(UserEngine engine, Event event) {
    UserEvent e;
    Outcome outcome;
    Outputs converted = new Outputs(event.getTime().toEpochMilli());
    try {
      e = AvroEvents.fromAvro(event);
      settings.faults().beforeEvent(e);
      outcome = engine.apply(e, store, converted);
      settings.faults().afterEvent(e);
      store.flush();
    } catch (RuntimeException | StackOverflowError failure) {
      store.discard();
      quarantine(event.getUserId(), describe(event), failure);
      return;
    }
    emit(converted);
    if (outcome.applied()) {
      applied.inc();
    } else if (outcome.rejected()) {
      rejectEvent(event, outcome.reason());
    } else {
      duplicates.inc();
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

  /** The instant of the user's one timer, as recorded in their state; null if none. */
  private Long registeredWakeUp(String user) {
    try {
      return store.wakeUp();
    } catch (RuntimeException e) {
      internalErrors.inc();
      LOG.error("Cannot read the wake-up of user {}", user, e);
      return null;
    } finally {
      store.discard();
    }
  }

  /**
   * Keeps the user's one timer at their next wake-up: moved only when it changed. A wake-up at or
   * before {@code now} (none is expected) is put just after it, so time still moves on.
   */
  private void moveWakeUp(Long registered, Long next, long now) {
    if (java.util.Objects.equals(registered, next)) {
      return;
    }
    if (registered != null) {
      timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, registered);
    }
    if (next != null) {
      timers.registerEventTimeTimer(VoidNamespace.INSTANCE, Math.max(next, now + 1));
    }
  }

  /** Keyed state behind the cache: one record per user, read and written under that user's key. */
  private final class KeyedRecords implements UserRecordCache.Backend {
    @Override
    public UserRecord read(String user) {
      try {
        return records.value();
      } catch (Exception e) {
        throw new IllegalStateException("cannot read the state of user " + user, e);
      }
    }

    @Override
    public void write(String user, UserRecord record) {
      Object current = getCurrentKey();
      setCurrentKey(user);
      try {
        if (record == null) {
          records.clear();
        } else {
          records.update(record);
        }
      } catch (Exception e) {
        throw new IllegalStateException("cannot write the state of user " + user, e);
      } finally {
        if (current != null) {
          setCurrentKey(current);
        }
      }
    }
  }

  // ---- rules ----

  @Override
  public void processElement2(StreamRecord<RuleUpdate> element) throws Exception {
    RuleUpdate update = element.getValue();
    if (update.getPolicies()) {
      offerPolicies(update);
    } else if (update.getError() != null) {
      reject(update.getRuleId(), null, null, update.getError());
    } else {
      String beforeYaml = rules.yaml(update.getRuleId());
      RulesInForce.Change change;
      try {
        change = rules.offer(update.getRuleId(), update.getRecord());
      } catch (RuntimeException | StackOverflowError e) {
        // A record the checks did not foresee must not crash the job (it would be replayed).
        change = RulesInForce.Change.rejected(null, null, "cannot read the rule: " + e);
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
        if (change.before() != null
            || (change.after() != null && change.after().trigger() instanceof Trigger.OnDate)) {
          sweep(update, beforeYaml, change);
        }
      }
    }
    trackLoading(RuleUpdates.progressKey(update), update.getOffset());
  }

  /**
   * A record of the policies topic: checked like policies.yaml in the validator, then in force for
   * every fire from now on (a tombstone removes the policies). Nothing per user needs changing: cap
   * history and zones are read at each fire.
   */
  private void offerPolicies(RuleUpdate update) throws Exception {
    String rejection =
        update.getError() != null
            ? update.getError()
            : rules.offerPolicies(update.getPoliciesRecord());
    PoliciesRecord r = update.getPoliciesRecord();
    if (rejection != null) {
      reject(RuleUpdates.POLICIES_KEY, null, RulesValidator.POLICIES_FILE, rejection);
      return;
    }
    rulesAccepted.inc();
    if (r == null) {
      policiesState.remove(RuleUpdates.POLICIES_KEY);
    } else {
      policiesState.put(RuleUpdates.POLICIES_KEY, r);
    }
  }

  /**
   * Starts taking an accepted change to every user of this instance: the first slice now, the rest
   * in later turns of the task thread ({@link ChangeSweeps}). Event time waits meanwhile.
   */
  private void sweep(RuleUpdate update, String beforeYaml, RulesInForce.Change change)
      throws Exception {
    // Users only in the cache must be in keyed state, where the walk finds users.
    cache.writeBack();
    PendingSweep pending =
        PendingSweep.newBuilder()
            .setRuleId(update.getRuleId())
            .setBeforeYaml(beforeYaml)
            .setAfterYaml(change.after() == null ? null : update.getRecord().getYaml())
            .setAsOf(floor)
            .setPartition(update.getPartition())
            .setOffset(update.getOffset())
            .build();
    sweeps.add(pending);
    parsedSweep = pending;
    parsedChange = change;
    sweepSlice(getProcessingTimeService().getCurrentProcessingTime());
  }

  /** One turn of the sweep: a slice of users, then the next turn, or the held watermark. */
  private void sweepSlice(long now) throws Exception {
    if (sweeps.step(SWEEP_SLICE_USERS, this::users, this::applyChange)) {
      releaseHeldWatermark();
      cache.evictBeyondCapacity();
    } else {
      getProcessingTimeService().registerTimer(now, this::sweepSlice);
    }
  }

  /**
   * Every user with state in this instance. A RocksDB iterator sees the keys as of its creation
   * while writes go on; the heap backend's maps cannot be changed under an iterator, so its keys
   * are copied first (the heap backend is for tests and small jobs).
   */
  private Stream<String> users() {
    KeyedStateBackend<String> backend = getKeyedStateBackend();
    Stream<String> keys =
        backend.getKeys(StateNames.userRecord().getName(), VoidNamespace.INSTANCE);
    if (backend instanceof org.apache.flink.runtime.state.heap.HeapKeyedStateBackend) {
      try (keys) {
        return keys.toList().stream();
      }
    }
    return keys;
  }

  /**
   * Re-schedules or cancels the changed rule's (or journey entry trigger's) pending fires of one
   * user, moves or exits their journey instance as of the change's watermark, arms a date rule, and
   * moves their wake-up. A user this fails for keeps their state as it was; everyone else gets the
   * change.
   */
  private void applyChange(PendingSweep sweep, String user) {
    if (sweep != parsedSweep) {
      parsedChange = RulesInForce.change(sweep.getBeforeYaml(), sweep.getAfterYaml());
      parsedSweep = sweep;
    }
    RulesInForce.Change change = parsedChange;
    long asOf = sweep.getAsOf();
    UserEngine engine = rules.engine();
    setCurrentKey(user); // timers and the store address the current key
    try {
      TriggerState before = store.triggers(); // a copy: the record changes only on flush
      boolean arms = change.after() != null && change.after().trigger() instanceof Trigger.OnDate;
      if (before == null && !arms) {
        return;
      }
      Long registered = store.wakeUp();
      Outputs exits = new Outputs(asOf);
      if (before != null) {
        // A rule that became a journey (or back) carries nothing pending over.
        TriggerState after =
            change.kindSwitched()
                ? RuleChanges.apply(before, change.before(), null)
                : RuleChanges.apply(before, change.before(), change.after());
        if (change.journeyBefore() != null) {
          Journey next = change.kindSwitched() ? null : change.journeyAfter();
          after = JourneyChanges.apply(after, change.journeyBefore(), next, user, asOf, exits);
        }
        store.triggers(after);
      }
      if (arms) {
        // A date rule arms for every user who has the attribute, as of the watermark.
        engine.armDate(change.after(), store, asOf);
      }
      Long next = engine.nextWakeUp(store, expiry);
      store.wakeUp(next);
      store.flush();
      emit(exits);
      moveWakeUp(registered, next, asOf);
    } catch (RuntimeException | StackOverflowError e) {
      internalErrors.inc();
      LOG.error("Cannot apply a rule change to the state of user {}", user, e);
    } finally {
      store.discard();
    }
  }

  private void reject(String ruleId, Integer version, String file, String reason) {
    rulesRejected.inc();
    Integer inForce = rules.versionInForce(ruleId);
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

  private void trackLoading(String partition, long offset) throws Exception {
    if (rulesSeen.getOrDefault(partition, -1L) < offset) {
      rulesSeen.put(partition, offset);
      progressState.put(partition, offset);
    }
    if (rulesLoaded || !allRulesSeen()) {
      return;
    }
    rulesLoaded = true;
    LOG.info("Rules loaded ({} in force); releasing events", rules.size());
    releaseHeldWatermark();
  }

  private boolean allRulesSeen() {
    for (Map.Entry<String, Long> e : rulesToLoad.entrySet()) {
      if (rulesSeen.getOrDefault(e.getKey(), -1L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
