package io.beckon.jobs.functions;

import io.beckon.engine.core.FireListener;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.time.Durations;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The per-user engine as a keyed function. Flink's part is ordering and time: events wait in a
 * buffer keyed by event time until the watermark passes them, so each user's events take effect in
 * (time, event_id) order whatever their arrival order; one event-time timer per instant then
 * applies that instant's events and takes the fires due at it. Everything else is the engine's.
 */
public class UserEventFunction extends KeyedProcessFunction<String, Event, SendCommand> {
  private static final long serialVersionUID = 1L;

  /** Dedup memory is swept on an hourly grid rather than with one timer per event. */
  static final long DEDUP_SWEEP_GRID = Durations.HOUR;

  private final HashMap<String, String> ruleFiles;

  private transient UserEngine engine;
  private transient FlinkUserStore store;
  private transient MapState<Long, List<Event>> buffer;
  private transient Counter applied;
  private transient Counter duplicates;
  private transient Counter late;
  private transient Counter sends;
  private transient Counter suppressions;

  /**
   * @param ruleFiles rule file name -> YAML text; parsed (and validated) when the task opens.
   */
  public UserEventFunction(Map<String, String> ruleFiles) {
    this.ruleFiles = new HashMap<>(ruleFiles);
  }

  @Override
  public void open(OpenContext openContext) {
    engine = new UserEngine(RuleSet.parse(ruleFiles));
    var ctx = getRuntimeContext();
    store =
        new FlinkUserStore(
            ctx.getState(StateNames.profile()),
            ctx.getState(StateNames.cart()),
            ctx.getState(StateNames.triggers()),
            ctx.getMapState(StateNames.attributes()),
            ctx.getMapState(StateNames.seenEvents()));
    buffer = ctx.getMapState(StateNames.buffer());
    var metrics = ctx.getMetricGroup();
    applied = metrics.counter("eventsApplied");
    duplicates = metrics.counter("eventsDuplicate");
    late = metrics.counter("eventsLate");
    sends = metrics.counter("sendCommands");
    suppressions = metrics.counter("sendSuppressions");
  }

  @Override
  public void processElement(Event event, Context ctx, Collector<SendCommand> out)
      throws Exception {
    long time = event.getTime().toEpochMilli();
    if (time <= ctx.timerService().currentWatermark()) {
      // Too late to take part in time-based triggers: only attributes, consent and tokens change.
      late.inc();
      ctx.output(StateNames.LATE_EVENTS, event);
      if (engine.applyLate(AvroEvents.fromAvro(event), store)) {
        scheduleDedupSweep(time, ctx);
      }
      store.flush();
      return;
    }
    List<Event> atInstant = buffer.get(time);
    if (atInstant == null) {
      atInstant = new ArrayList<>();
    }
    atInstant.add(event);
    buffer.put(time, atInstant);
    // Fires at this instant, and so applies the buffered events, once the watermark passes it.
    ctx.timerService().registerEventTimeTimer(time);
  }

  @Override
  public void onTimer(long time, OnTimerContext ctx, Collector<SendCommand> out) throws Exception {
    TreeSet<Long> dueBefore = UserEngine.dueTimes(store.triggers());
    List<Event> atInstant = buffer.get(time);
    if (atInstant != null) {
      buffer.remove(time);
      applyInOrder(atInstant, ctx);
    }
    engine.fireDue(
        ctx.getCurrentKey(),
        time,
        store,
        new FireListener() {
          @Override
          public void sent(SendCommand command) {
            sends.inc();
            out.collect(command);
          }

          @Override
          public void suppressed(Suppression suppression) {
            suppressions.inc();
            ctx.output(StateNames.SUPPRESSIONS, suppression);
          }
        });
    if (time % DEDUP_SWEEP_GRID == 0) {
      UserEngine.expireDedup(time, store);
    }
    syncTimers(time, dueBefore, UserEngine.dueTimes(store.triggers()), ctx);
    store.flush();
  }

  private void applyInOrder(List<Event> events, OnTimerContext ctx) {
    List<UserEvent> batch = new ArrayList<>(events.size());
    events.forEach(e -> batch.add(AvroEvents.fromAvro(e)));
    batch.sort(UserEvent.APPLICATION_ORDER);
    for (UserEvent e : batch) {
      if (engine.apply(e, store)) {
        applied.inc();
        scheduleDedupSweep(e.time(), ctx);
      } else {
        duplicates.inc();
      }
    }
  }

  private static void scheduleDedupSweep(long time, Context ctx) {
    ctx.timerService().registerEventTimeTimer(sweepTime(time));
  }

  /** The first grid instant at which an id remembered at {@code time} can be forgotten. */
  static long sweepTime(long time) {
    long forgettableAfter = time + UserEngine.DEDUP_WINDOW + 1;
    return Math.floorDiv(forgettableAfter + DEDUP_SWEEP_GRID - 1, DEDUP_SWEEP_GRID)
        * DEDUP_SWEEP_GRID;
  }

  private boolean neededForSweep(long t) {
    return t % DEDUP_SWEEP_GRID == 0
        && store.remembersEventsSweptAt(t, UserEventFunction::sweepTime);
  }

  /**
   * Keeps exactly one timer per instant with pending fires: a cancelled trigger's timer is deleted
   * (unless events or a sweep still need that instant), a newly armed one is registered.
   */
  private void syncTimers(long now, TreeSet<Long> before, TreeSet<Long> after, OnTimerContext ctx)
      throws Exception {
    for (Long t : before) {
      if (t > now && !after.contains(t) && !buffer.contains(t) && !neededForSweep(t)) {
        ctx.timerService().deleteEventTimeTimer(t);
      }
    }
    for (Long t : after) {
      if (!before.contains(t)) {
        ctx.timerService().registerEventTimeTimer(t);
      }
    }
  }
}
