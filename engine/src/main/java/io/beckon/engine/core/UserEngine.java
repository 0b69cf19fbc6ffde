package io.beckon.engine.core;

import static io.beckon.engine.event.EventTypes.*;

import io.beckon.engine.date.DateValue;
import io.beckon.engine.date.Occurrence;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.geo.Fence;
import io.beckon.engine.journey.Journey;
import io.beckon.engine.json.Json;
import io.beckon.engine.profile.ProfileUpdater;
import io.beckon.engine.profile.ProfileView;
import io.beckon.engine.rules.Policies;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.rules.Trigger;
import io.beckon.engine.time.Durations;
import io.beckon.schema.state.JourneyInstance;
import io.beckon.schema.state.PendingFire;
import io.beckon.schema.state.TriggerState;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * One user's engine: applies events in order and takes the fires that fall due. The caller (the
 * Flink operator, or a test) is responsible for calling {@link #apply} for every event at an
 * instant, in {@link UserEvent#APPLICATION_ORDER}, before {@link #fireDue} for that instant.
 */
public final class UserEngine {
  /** How long an event id is remembered for deduplication, in event time. */
  public static final long DEDUP_WINDOW = Durations.DAY;

  /** The profile attribute that holds the user's time zone (contract section 6). */
  private static final String TIMEZONE = "timezone";

  private final RuleSet rules;
  private final Policies policies;
  private final LongAdder invalidDateValues;
  private final List<Rule> dateRules;

  public UserEngine(RuleSet rules) {
    this(rules, Policies.NONE);
  }

  public UserEngine(RuleSet rules, Policies policies) {
    this(rules, policies, new LongAdder());
  }

  /**
   * @param invalidDateValues counts date-trigger values that are not a date or an instant (contract
   *     section 8); shared by the engines a job instance builds as its rules change
   */
  public UserEngine(RuleSet rules, Policies policies, LongAdder invalidDateValues) {
    this.rules = rules;
    this.policies = policies;
    this.invalidDateValues = invalidDateValues;
    this.dateRules =
        rules.triggers().stream()
            .filter(r -> r.enabled() && r.trigger() instanceof Trigger.OnDate)
            .toList();
  }

  public RuleSet rules() {
    return rules;
  }

  public Policies policies() {
    return policies;
  }

  /**
   * Applies an on-time event: deduplication, erasure, the per-user limits, then exit_on
   * cancellations and journey exits, the profile effect and the trigger effects (journey entry
   * attempts armed, {@code wait_for} steps matched), in that order. A duplicate, an event of an
   * erased life, or an event that would break a limit has no effect at all. Conversions the event
   * makes are not reported: see {@link #apply(UserEvent, UserStore, FireListener)}.
   */
  public Outcome apply(UserEvent e, UserStore store) {
    return apply(e, store, FireListener.IGNORE);
  }

  /** Applies an on-time event as {@link #apply(UserEvent, UserStore)}, reporting conversions. */
  public Outcome apply(UserEvent e, UserStore store, FireListener out) {
    Outcome skipped = skipped(e, store);
    if (skipped != null) {
      return skipped;
    }
    if (e.type().equals(USER_ERASED)) {
      erase(e, store);
      return Outcome.APPLIED;
    }
    String broken = ProfileUpdater.limitBroken(e, store, false);
    if (broken != null) {
      return Outcome.rejected(broken);
    }
    store.rememberEvent(e.eventId(), e.time());
    convert(e, store, out);
    Map<Rule, DateInputs> dates = dateInputs(e, store, e.time());
    cancelOnExit(e, store);
    exitJourneys(e, store, out);
    ProfileUpdater.apply(e, store);
    for (Rule rule : rules.triggers()) {
      if (rule.enabled() && !firedOnce(rule, store)) {
        applyTrigger(rule, e, store);
      }
    }
    matchWaitingJourneys(e, store);
    rearmChangedDates(dates, store, e.time());
    return Outcome.APPLIED;
  }

  /**
   * Applies an event later than the disorder bound: it updates attributes, consent and tokens, but
   * never starts, cancels or fires a trigger in the past. A late erasure still erases; the
   * attribute limit applies as for an on-time event. A date value it changes re-arms its date rules
   * as of {@code watermark}: the first instant whose fires have not been taken yet.
   */
  public Outcome applyLate(UserEvent e, UserStore store, long watermark) {
    Outcome skipped = skipped(e, store);
    if (skipped != null) {
      return skipped;
    }
    if (e.type().equals(USER_ERASED)) {
      erase(e, store);
      return Outcome.APPLIED;
    }
    String broken = ProfileUpdater.limitBroken(e, store, true);
    if (broken != null) {
      return Outcome.rejected(broken);
    }
    store.rememberEvent(e.eventId(), e.time());
    Map<Rule, DateInputs> dates = dateInputs(e, store, watermark);
    ProfileUpdater.applyLate(e, store);
    // A date value it changed re-arms as of the watermark: nothing fires in the past (section 8).
    rearmChangedDates(dates, store, watermark);
    return Outcome.APPLIED;
  }

  private static Outcome skipped(UserEvent e, UserStore store) {
    if (isDuplicate(e, store)) {
      return Outcome.DUPLICATE;
    }
    return belongsToErasedLife(e, store) ? Outcome.ERASED_LIFE : null;
  }

  /**
   * Erasure forgets everything, the dedup memory included: the user's next life starts empty. Only
   * the erasure's own position in time is kept, so that late events of the old life stay erased.
   */
  private static void erase(UserEvent e, UserStore store) {
    store.clear();
    store.erasure(new UserStore.Erasure(e.time(), e.eventId()));
  }

  private static boolean belongsToErasedLife(UserEvent e, UserStore store) {
    UserStore.Erasure erasure = store.erasure();
    return erasure != null && erasure.isAfter(e.time(), e.eventId());
  }

  private static boolean isDuplicate(UserEvent e, UserStore store) {
    Long seen = store.seenEvent(e.eventId());
    return seen != null && Math.abs(e.time() - seen) <= DEDUP_WINDOW;
  }

  /**
   * Event ids are forgotten on an hourly event-time grid, so one user needs one dedup wake-up an
   * hour at most however many events they send.
   */
  public static final long DEDUP_GRID = Durations.HOUR;

  /** The first grid instant at which an id remembered at {@code seenAt} is forgotten. */
  public static long dedupForgetAt(long seenAt) {
    long forgettableAfter = seenAt + DEDUP_WINDOW + 1;
    return Math.floorDiv(forgettableAfter + DEDUP_GRID - 1, DEDUP_GRID) * DEDUP_GRID;
  }

  /** Forgets every event id whose {@link #dedupForgetAt} instant is at or before {@code now}. */
  public static void forgetDedupThrough(long now, UserStore store) {
    store.forgetEventsBefore(Math.floorDiv(now, DEDUP_GRID) * DEDUP_GRID - DEDUP_WINDOW);
  }

  /**
   * Opens instant {@code now} of one user, before its events: ids due to be forgotten before it
   * are. (Those due exactly at {@code now} still deduplicate its events; {@link #closeInstant}
   * forgets them.) A backend that touches a user only when something happens to them calls this and
   * {@link #closeInstant} around every instant, which forgets exactly what an hourly sweep would
   * have.
   */
  public static void openInstant(long now, UserStore store) {
    forgetDedupThrough(now - 1, store);
  }

  /**
   * Closes instant {@code now} of one user, after its events and fires: see openInstant. Off the
   * grid there is nothing more to forget than openInstant did (the cut-off is the same and the
   * instant's own events are newer), so the dedup memory is only walked again on a grid instant.
   */
  public static void closeInstant(long now, UserStore store) {
    if (Math.floorMod(now, DEDUP_GRID) == 0) {
      forgetDedupThrough(now, store);
    }
  }

  /**
   * The user's next wake-up after their state changed: the earliest pending fire, history to prune,
   * expiry check or dedup forget instant; null when nothing is due ever. One timer per user at this
   * instant is all a backend needs.
   */
  public Long nextWakeUp(UserStore store, Expiry expiry) {
    TriggerState triggers = store.triggers();
    TreeSet<Long> times = wakeUps(triggers);
    Long next = times.isEmpty() ? null : times.first();
    Long check =
        expiry.wakeUp(expiry.retention() > 0 ? store.profile() : null, triggers, store.erasure());
    next = earliest(next, check);
    Long oldest = store.oldestSeenEvent();
    return earliest(next, oldest == null ? null : dedupForgetAt(oldest));
  }

  private static Long earliest(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Long.valueOf(Math.min(a, b));
  }

  /**
   * Drops the fires and journey wake-ups due at or before {@code now} without taking them: for
   * fires whose evaluation failed, so they are not retried forever (such an instance ends without a
   * journey event).
   */
  public static void dropDue(long now, UserStore store) {
    TriggerState state = store.triggers();
    if (state == null) {
      return;
    }
    state.getPending().removeIf(fire -> fire.getDueTime() <= now);
    state.getJourneys().removeIf(instance -> instance.getDueTime() <= now);
    store.triggers(isEmpty(state) ? null : state);
  }

  /**
   * Takes every fire and journey item due at or before {@code now}: priority, rule or journey id,
   * creation order (contract sections 6 and 7). Then forgets the history and closes the conversion
   * windows that {@code now} has passed.
   */
  public void fireDue(String userId, long now, UserStore store, FireListener out) {
    fireDue(userId, now, store, out, Long.MAX_VALUE);
  }

  /**
   * As {@link #fireDue(String, long, UserStore, FireListener)}; a yearly date occurrence that fires
   * after {@code horizon} does not arm the next year's (replay: the last input event's time, so the
   * end of input fires only what is pending, contract section 8).
   */
  public void fireDue(String userId, long now, UserStore store, FireListener out, long horizon) {
    TriggerState state = store.triggers();
    if (state == null) {
      return;
    }
    List<DueItem> due = new ArrayList<>();
    for (Iterator<PendingFire> it = state.getPending().iterator(); it.hasNext(); ) {
      PendingFire fire = it.next();
      if (fire.getDueTime() <= now) {
        due.add(new DueItem(fire.getRuleId(), fire.getSeq(), fire, null));
        it.remove();
      }
    }
    for (JourneyInstance instance : state.getJourneys()) {
      if (instance.getDueTime() <= now) {
        due.add(new DueItem(instance.getJourneyId(), instance.getSeq(), null, instance));
      }
    }
    due.sort(
        Comparator.comparing((DueItem item) -> fireRank(item.id()))
            .thenComparing(DueItem::id)
            .thenComparingLong(DueItem::seq));
    JourneyRunner journeys = new JourneyRunner(policies, userId, store, state, out);
    for (DueItem item : due) {
      if (item.instance() != null) {
        wake(item.instance(), journeys, now);
        continue;
      }
      PendingFire fire = item.fire();
      Rule rule = rules.trigger(fire.getRuleId());
      if (rule == null || !rule.enabled()) {
        continue;
      }
      if (firedOnce(rule, state)) {
        // A once-only rule or journey that already fired does not fire again at all (3b, 7): not
        // even its fence cooldown notices.
        continue;
      }
      if (rule.trigger() instanceof Trigger.GeofenceEntered g
          && withinFenceCooldown(g, fire, now, state)) {
        continue;
      }
      Journey journey = rules.journey(rule.id());
      boolean counts =
          journey != null
              ? journeys.enter(journey, rule, fire, now)
              : FireEvaluator.evaluate(rule, policies, fire, userId, now, store, state, out)
                  .countsForReentry();
      if (counts && rule.reentry().remembersFires()) {
        state.getLastFire().put(rule.id(), now);
      }
      if (rule.trigger() instanceof Trigger.OnDate date) {
        dateFired(rule, date, fire, store, state, now, horizon);
      }
    }
    forgetExpiredHistory(now, state);
    FrequencyCaps.forget(policies, state.getCapHistory(), now);
    Conversions.closeThrough(now, state);
    store.triggers(isEmpty(state) ? null : state);
  }

  /** A fire or a journey wake-up due now: exactly one of {@code fire} and {@code instance}. */
  private record DueItem(String id, long seq, PendingFire fire, JourneyInstance instance) {}

  /**
   * A journey instance's wake-up, unless the instance ended earlier at this instant (a restart) or
   * its journey is gone (cannot happen in a job: removing a journey exits its instances first).
   */
  private void wake(JourneyInstance instance, JourneyRunner journeys, long now) {
    if (!journeys.stillActive(instance) || instance.getDueTime() > now) {
      return;
    }
    Journey journey = rules.journey(instance.getJourneyId());
    if (journey == null || !journey.enabled()) {
      journeys.drop(instance);
      return;
    }
    journeys.wake(journey, instance, now);
  }

  /** Whether a once-only rule has fired for this user: it then arms nothing any more. */
  private static boolean firedOnce(Rule rule, UserStore store) {
    return rule.reentry().once() && store.triggers() != null && firedOnce(rule, store.triggers());
  }

  /** Whether a rule with {@code reentry: {once: true}} has had its sent or holdout fire. */
  private static boolean firedOnce(Rule rule, TriggerState state) {
    return rule.reentry().once() && state.getLastFire().containsKey(rule.id());
  }

  private void convert(UserEvent e, UserStore store, FireListener out) {
    TriggerState state = store.triggers();
    if (state != null
        && !state.getConversions().isEmpty()
        && Conversions.match(e, e.userId(), rules, state, out)) {
      store.triggers(isEmpty(state) ? null : state);
    }
  }

  private int fireRank(String ruleId) {
    Rule rule = rules.trigger(ruleId);
    return rule == null ? Integer.MAX_VALUE : -rule.priority();
  }

  /**
   * The fence cooldown limits the trigger itself: a fire less than {@code cooldown} after the
   * previous fire of the rule for the fence does not happen at all.
   */
  private static boolean withinFenceCooldown(
      Trigger.GeofenceEntered g, PendingFire fire, long now, TriggerState state) {
    String key = fenceKey(fire.getRuleId(), fire.getFenceId());
    Long previous = state.getFenceLastFire().get(key);
    if (previous != null && now - previous < g.cooldown()) {
      return true;
    }
    state.getFenceLastFire().put(key, now);
    return false;
  }

  /** History is kept only while it can still suppress something, so idle users' state shrinks. */
  private void forgetExpiredHistory(long now, TriggerState state) {
    state
        .getLastFire()
        .entrySet()
        .removeIf(
            e -> {
              Rule rule = rules.trigger(e.getKey());
              return rule == null
                  || !rule.reentry().remembersFires()
                  || (!rule.reentry().once() && now - e.getValue() >= rule.reentry().cooldown());
            });
    state
        .getFenceLastFire()
        .entrySet()
        .removeIf(
            e -> {
              Rule rule = rules.trigger(e.getKey().substring(0, e.getKey().indexOf('/')));
              return !(rule != null && rule.trigger() instanceof Trigger.GeofenceEntered g)
                  || now - e.getValue() >= g.cooldown();
            });
  }

  /**
   * Every instant at which this user needs a wake-up: pending fires, the moments reentry,
   * fence-cooldown or cap history stops mattering, and conversion windows' ends (so all of it is
   * pruned then, not kept until the next fire).
   */
  public TreeSet<Long> wakeUps(TriggerState state) {
    TreeSet<Long> times = dueTimes(state);
    if (state == null) {
      return times;
    }
    state
        .getLastFire()
        .forEach(
            (ruleId, at) -> {
              Rule rule = rules.trigger(ruleId);
              if (rule != null && !rule.reentry().once() && rule.reentry().cooldown() > 0) {
                times.add(at + rule.reentry().cooldown());
              }
            });
    state
        .getFenceLastFire()
        .forEach(
            (key, at) -> {
              Rule rule = rules.trigger(key.substring(0, key.indexOf('/')));
              if (rule != null && rule.trigger() instanceof Trigger.GeofenceEntered g) {
                times.add(at + g.cooldown());
              }
            });
    Long capForget = FrequencyCaps.nextForget(policies, state.getCapHistory());
    if (capForget != null) {
      times.add(capForget);
    }
    Long conversionClose = Conversions.nextClose(state);
    if (conversionClose != null) {
      times.add(conversionClose);
    }
    return times;
  }

  /** The distinct instants at which this user has fires or journey wake-ups pending. */
  public static TreeSet<Long> dueTimes(TriggerState state) {
    TreeSet<Long> times = new TreeSet<>();
    if (state != null) {
      state.getPending().forEach(f -> times.add(f.getDueTime()));
      state.getJourneys().forEach(i -> times.add(i.getDueTime()));
    }
    return times;
  }

  // ---- trigger effects of one event ----

  private void cancelOnExit(UserEvent e, UserStore store) {
    TriggerState state = store.triggers();
    if (state == null) {
      return;
    }
    // A yearly date occurrence cancelled by exit_on makes way for the next year's (section 8).
    List<PendingFire> cancelledYearly = new ArrayList<>();
    for (PendingFire fire : state.getPending()) {
      Rule rule = rules.trigger(fire.getRuleId());
      if (rule != null
          && fire.getOccurrenceYear() != null
          && rule.exitsOn(e)
          && rule.trigger() instanceof Trigger.OnDate) {
        cancelledYearly.add(fire);
      }
    }
    boolean changed =
        state
            .getPending()
            .removeIf(
                fire -> {
                  Rule rule = rules.trigger(fire.getRuleId());
                  return rule != null && rule.exitsOn(e);
                });
    for (PendingFire fire : cancelledYearly) {
      Rule rule = rules.trigger(fire.getRuleId());
      armDate(rule, store, state, e.time(), fire.getOccurrenceYear() + 1);
    }
    if (changed) {
      store.triggers(isEmpty(state) ? null : state);
    }
  }

  /** {@code exit_on} of journeys: the user's active instance ends at the event's instant. */
  private void exitJourneys(UserEvent e, UserStore store, FireListener out) {
    TriggerState state = store.triggers();
    if (state == null || state.getJourneys().isEmpty()) {
      return;
    }
    JourneyRunner journeys = new JourneyRunner(policies, e.userId(), store, state, out);
    boolean changed = false;
    for (JourneyInstance instance : List.copyOf(state.getJourneys())) {
      Journey journey = rules.journey(instance.getJourneyId());
      if (journey != null && journey.exitsOn(e)) {
        journeys.exitOn(journey, e);
        changed = true;
      }
    }
    if (changed) {
      store.triggers(isEmpty(state) ? null : state);
    }
  }

  /** Instances waiting in a {@code wait_for} step that the event matches wake at its instant. */
  private void matchWaitingJourneys(UserEvent e, UserStore store) {
    TriggerState state = store.triggers();
    if (state != null
        && !state.getJourneys().isEmpty()
        && JourneyRunner.match(e, state, rules::journey)) {
      store.triggers(state);
    }
  }

  private void applyTrigger(Rule rule, UserEvent e, UserStore store) {
    Trigger trigger = rule.trigger();
    if (trigger instanceof Trigger.CartAbandoned c) {
      cartAbandoned(rule, c, e, store);
    } else if (trigger instanceof Trigger.Inactivity i) {
      if (i.activity().contains(e.type())) {
        TriggerState state = state(store);
        cancel(state, rule.id());
        state.getPending().add(arm(state, rule.id(), e.time() + i.after(), e).build());
        store.triggers(state);
      }
    } else if (trigger instanceof Trigger.GeofenceEntered g) {
      if (e.type().equals(LOCATION_UPDATED)) {
        geofence(rule, g, e, store);
      }
    } else if (trigger instanceof Trigger.OnEvent t) {
      if (t.event().equals(e.type()) && (t.where() == null || t.where().test(e::property))) {
        TriggerState state = state(store);
        if (pendingOf(state, rule.id()) >= Limits.PENDING_FIRES_PER_RULE) {
          return; // bounded: a burst of matching events arms at most this many fires
        }
        state
            .getPending()
            .add(
                arm(state, rule.id(), e.time() + t.delay(), e)
                    .setEventProperties(Json.write(e.properties()))
                    .build());
        store.triggers(state);
      }
    }
  }

  /** Every cart change that leaves the cart non-empty re-arms; emptying it disarms. */
  private static void cartAbandoned(
      Rule rule, Trigger.CartAbandoned c, UserEvent e, UserStore store) {
    boolean cartChange = e.type().equals(CART_ITEM_ADDED) || e.type().equals(CART_ITEM_REMOVED);
    boolean emptied = e.type().equals(CART_CLEARED) || e.type().equals(PURCHASE_COMPLETED);
    if (!cartChange && !emptied) {
      return;
    }
    TriggerState state = state(store);
    cancel(state, rule.id());
    if (cartChange && store.cart() != null) {
      state.getPending().add(arm(state, rule.id(), e.time() + c.delay(), e).build());
    }
    store.triggers(isEmpty(state) ? null : state);
  }

  private static void geofence(Rule rule, Trigger.GeofenceEntered g, UserEvent e, UserStore store) {
    Object accuracy = e.properties().get("accuracy_m");
    if (accuracy instanceof Number a && a.doubleValue() > g.maxAccuracyM()) {
      return; // invisible to this rule: not even a "previous known fix"
    }
    double lat = ((Number) e.properties().get("lat")).doubleValue();
    double lon = ((Number) e.properties().get("lon")).doubleValue();
    TriggerState state = state(store);
    for (Fence fence : g.fences()) {
      String key = fenceKey(rule.id(), fence.id());
      boolean wasInside = Boolean.TRUE.equals(state.getFenceInside().get(key));
      if (fence.contains(lat, lon)) {
        state.getFenceInside().put(key, true);
        if (!wasInside) {
          state
              .getPending()
              .add(
                  arm(state, rule.id(), e.time() + g.dwell(), e)
                      .setFenceId(fence.id())
                      .setDistanceM(fence.distanceMeters(lat, lon))
                      .build());
        }
      } else {
        // Outside is the same as "no previous fix", so nothing is stored for it.
        state.getFenceInside().remove(key);
        if (g.dwell() > 0) {
          // Only a dwell can be interrupted; an entry without dwell fires at its own fix.
          state
              .getPending()
              .removeIf(f -> f.getRuleId().equals(rule.id()) && fence.id().equals(f.getFenceId()));
        }
      }
    }
    store.triggers(isEmpty(state) ? null : state);
  }

  // ---- date triggers (contract section 8) ----

  /** What a date rule reads: its attribute's value and the user's zone. */
  private record DateInputs(Object raw, DateValue value, ZoneId zone) {
    /**
     * Whether a date rule must re-arm: another date or instant (the same one written again is no
     * change), a new invalid value (it disarms, and is counted), or in calendar mode another zone.
     */
    boolean rearms(DateInputs now, boolean calendar) {
      if (now.value() == null) {
        return !Objects.equals(raw, now.raw());
      }
      return !now.value().equals(value) || (calendar && !zone.equals(now.zone()));
    }
  }

  /**
   * Whether an event can change what a date rule reads: a custom attribute or the time zone changes
   * only when an {@code attributes_set} names it, or an {@code app_opened} carries it as one of its
   * fields; of the computed timestamps, {@code first_seen_at} and {@code last_seen_at} change with
   * any event, {@code last_active_at} with {@code app_opened} and {@code last_purchase_at} with
   * purchases. Saves reading and parsing every date value around every event.
   */
  private boolean mayChangeDates(UserEvent e) {
    if (dateRules.isEmpty()) {
      return false;
    }
    for (Rule rule : dateRules) {
      String attribute = ((Trigger.OnDate) rule.trigger()).attribute();
      if (attribute.equals("first_seen_at")
          || attribute.equals("last_seen_at")
          || (attribute.equals("last_active_at") && e.type().equals(APP_OPENED))
          || (attribute.equals("last_purchase_at") && e.type().equals(PURCHASE_COMPLETED))) {
        return true;
      }
    }
    Map<?, ?> written =
        e.type().equals(ATTRIBUTES_SET) && e.properties().get("attributes") instanceof Map<?, ?> m
            ? m
            : e.type().equals(APP_OPENED) ? e.properties() : null;
    if (written == null) {
      return false;
    }
    if (written.containsKey(TIMEZONE)) {
      return true;
    }
    for (Rule rule : dateRules) {
      if (written.containsKey(((Trigger.OnDate) rule.trigger()).attribute())) {
        return true;
      }
    }
    return false;
  }

  /** The date rules' inputs before an event that may change them ({@link #mayChangeDates}). */
  private Map<Rule, DateInputs> dateInputs(UserEvent e, UserStore store, long now) {
    return mayChangeDates(e) ? dateInputs(store, now) : null;
  }

  /** The date rules' inputs now; null when there is no date rule. */
  private Map<Rule, DateInputs> dateInputs(UserStore store, long now) {
    if (dateRules.isEmpty()) {
      return null;
    }
    ProfileView profile = new ProfileView(store, now);
    ZoneId zone = policies.zoneOf(profile.get(TIMEZONE));
    Map<Rule, DateInputs> inputs = new HashMap<>();
    for (Rule rule : dateRules) {
      Trigger.OnDate date = (Trigger.OnDate) rule.trigger();
      Object raw = profile.get(date.attribute());
      inputs.put(rule, new DateInputs(raw, DateValue.of(raw), zone));
    }
    return inputs;
  }

  /**
   * Re-arms, as of {@code c}, every date rule whose value the event changed (the same date or
   * instant written again is no change), or in calendar mode whose user's zone it changed.
   */
  private void rearmChangedDates(Map<Rule, DateInputs> before, UserStore store, long c) {
    if (before == null) {
      return;
    }
    Map<Rule, DateInputs> after = dateInputs(store, c);
    for (Rule rule : dateRules) {
      boolean calendar = ((Trigger.OnDate) rule.trigger()).calendar();
      if (before.get(rule).rearms(after.get(rule), calendar)) {
        if (!firedOnce(rule, store)) {
          TriggerState state = state(store);
          armDate(rule, store, state, c, null);
          store.triggers(isEmpty(state) ? null : state);
        }
      }
    }
  }

  /**
   * Arms a date rule for the current user as of {@code c}: its armed occurrence is replaced by the
   * earliest one at or after {@code c} that has not fired; none when the value is missing or
   * invalid. For a rule that arrives in a running job, {@code c} is the job's watermark.
   */
  public void armDate(Rule rule, UserStore store, long c) {
    if (!rule.enabled() || !(rule.trigger() instanceof Trigger.OnDate) || firedOnce(rule, store)) {
      return;
    }
    TriggerState state = state(store);
    armDate(rule, store, state, c, null);
    store.triggers(isEmpty(state) ? null : state);
  }

  private void armDate(Rule rule, UserStore store, TriggerState state, long c, Integer fromYear) {
    Trigger.OnDate date = (Trigger.OnDate) rule.trigger();
    cancel(state, rule.id());
    ProfileView profile = new ProfileView(store, c);
    Object raw = profile.get(date.attribute());
    DateValue value = DateValue.of(raw);
    if (raw != null && (value == null || (!date.calendar() && value instanceof DateValue.Day))) {
      invalidDateValues.increment(); // disarmed: a value that is no date (or no instant)
      return;
    }
    if (value == null) {
      return;
    }
    ZoneId zone = policies.zoneOf(profile.get(TIMEZONE));
    Occurrence next =
        Occurrence.next(date, value, zone, c, state.getDateFired().get(rule.id()), fromYear);
    if (next == null) {
      return;
    }
    long seq = state.getNextSeq();
    state.setNextSeq(seq + 1);
    state
        .getPending()
        .add(
            PendingFire.newBuilder()
                .setRuleId(rule.id())
                .setDueTime(next.instant())
                .setSeq(seq)
                .setArmedAt(c)
                // The occurrence, not what armed it, names the fire: its send id stays the same
                // when a zone change or a rule version re-arms the same occurrence.
                .setSourceEventId("date:" + next.identity())
                .setOccurrenceDate(next.date() == null ? null : next.date().toString())
                .setOccurrenceYear(next.year())
                .setYears(
                    next.year() == null ? null : next.year() - value.localDate(zone).getYear())
                .build());
  }

  /**
   * An occurrence was evaluated (sent or suppressed): it has fired. A yearly rule remembers its
   * year and arms the next year's, unless this one fired past the horizon.
   */
  private void dateFired(
      Rule rule,
      Trigger.OnDate date,
      PendingFire fire,
      UserStore store,
      TriggerState state,
      long now,
      long horizon) {
    Integer year = fire.getOccurrenceYear();
    if (year == null) {
      // Nothing to remember: a later change can only compute an occurrence at or after its own
      // instant, which is after this one (events at an instant come before its fires).
      return;
    }
    state.getDateFired().put(rule.id(), (long) year);
    if (date.yearly() && now <= horizon) {
      armDate(rule, store, state, now, year + 1);
    }
  }

  /** How many date-trigger values were neither a date nor an instant where one was needed. */
  public long invalidDateValues() {
    return invalidDateValues.sum();
  }

  // ---- state helpers ----

  private static TriggerState state(UserStore store) {
    TriggerState state = store.triggers();
    if (state == null) {
      state =
          TriggerState.newBuilder()
              .setPending(new ArrayList<>())
              .setLastFire(new HashMap<>())
              .setFenceInside(new HashMap<>())
              .setFenceLastFire(new HashMap<>())
              .setCapHistory(new ArrayList<>())
              .setDateFired(new HashMap<>())
              .setConversions(new ArrayList<>())
              .setJourneys(new ArrayList<>())
              .build();
    }
    return state;
  }

  /** A new pending fire for {@code ruleId}, numbered in creation order; the caller adds it. */
  private static PendingFire.Builder arm(
      TriggerState state, String ruleId, long due, UserEvent source) {
    long seq = state.getNextSeq();
    state.setNextSeq(seq + 1);
    return PendingFire.newBuilder()
        .setRuleId(ruleId)
        .setDueTime(due)
        .setSeq(seq)
        .setArmedAt(source.time())
        .setSourceEventId(source.eventId());
  }

  private static long pendingOf(TriggerState state, String ruleId) {
    return state.getPending().stream().filter(f -> f.getRuleId().equals(ruleId)).count();
  }

  private static void cancel(TriggerState state, String ruleId) {
    state.getPending().removeIf(f -> f.getRuleId().equals(ruleId));
  }

  private static String fenceKey(String ruleId, String fenceId) {
    return ruleId + "/" + fenceId;
  }

  private static boolean isEmpty(TriggerState state) {
    return RuleChanges.isEmpty(state);
  }
}
