package io.beckon.engine.core;

import io.beckon.engine.event.Paths;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.journey.Journey;
import io.beckon.engine.journey.Step;
import io.beckon.engine.journey.WaitUntilInstant;
import io.beckon.engine.json.Json;
import io.beckon.engine.profile.ProfileView;
import io.beckon.engine.rules.Experiment;
import io.beckon.engine.rules.Policies;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleLimits;
import io.beckon.engine.template.Template;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.state.JourneyInstance;
import io.beckon.schema.state.PendingFire;
import io.beckon.schema.state.TriggerState;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs one user's journey instances (contract section 7): entry attempts, wake-ups, inline steps,
 * {@code exit_on} exits and {@code wait_for} matches, writing commands, suppressions and journey
 * events to a {@link FireListener}. An instance lives in {@link TriggerState#getJourneys()} while
 * it waits (a {@code wait}, {@code wait_until}, {@code wait_for} or a quiet-hours hold) and leaves
 * it the moment it ends, so an ended journey leaves no state and no wake-up behind.
 */
final class JourneyRunner {
  static final String ENTERED = "entered";
  static final String ENTRY_SUPPRESSED = "entry_suppressed";
  static final String SENT = "sent";
  static final String SUPPRESSED = "suppressed";
  static final String HELD = "held";
  static final String EXITED = "exited";

  static final String ACTIVE = "active";
  static final String COMPLETED = "completed";
  static final String EXIT_ON = "exit_on";
  static final String RESTARTED = "restarted";
  static final String VERSION = "version";

  /** The trigger name journey commands and suppressions carry. */
  static final String TRIGGER = "journey";

  private static final DateTimeFormatter KEY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Policies policies;
  private final String userId;
  private final UserStore store;
  private final TriggerState state;
  private final FireListener out;

  /**
   * How many instances of each journey entered at the instant this runner takes: the {@code n} of
   * instance keys (every entry at an instant is taken by one runner, in one call of fireDue).
   */
  private Map<String, Integer> entriesNow;

  JourneyRunner(
      Policies policies, String userId, UserStore store, TriggerState state, FireListener out) {
    this.policies = policies;
    this.userId = userId;
    this.store = store;
    this.state = state;
    this.out = out;
  }

  /** The instance key of the {@code n}-th entry at {@code time}: the contract's format, '#', n. */
  static String instanceKey(long time, int n) {
    return KEY_TIME.format(Instant.ofEpochMilli(time)) + "#" + n;
  }

  /** The user's active instance of a journey; null when none. */
  static JourneyInstance active(TriggerState state, String journeyId) {
    for (JourneyInstance instance : state.getJourneys()) {
      if (instance.getJourneyId().equals(journeyId)) {
        return instance;
      }
    }
    return null;
  }

  /** Whether {@code instance} is still active: the very object, not an equal one. */
  boolean stillActive(JourneyInstance instance) {
    for (JourneyInstance i : state.getJourneys()) {
      if (i == instance) {
        return true;
      }
    }
    return false;
  }

  /** Ends an instance without a journey event (its journey is gone). */
  void drop(JourneyInstance instance) {
    remove(state, instance);
  }

  // ---- entry ----

  /**
   * Takes an entry attempt at {@code now}, the checks in the contract's order: audience, reentry
   * cooldown, an active instance. An admitted entry runs its first steps inline.
   *
   * @param entry the journey's entry trigger ({@link Journey#entry()}) whose fire this is
   * @return whether the entry was admitted (it then counts for reentry)
   */
  boolean enter(Journey journey, Rule entry, PendingFire fire, long now) {
    ProfileView profile = new ProfileView(store, now);
    if (journey.audience() != null && !journey.audience().test(profile::get)) {
      entrySuppressed(journey, now, FireEvaluator.AUDIENCE);
      return false;
    }
    if (FireEvaluator.blockedByCooldown(
        journey.reentry(), state.getLastFire().get(journey.id()), now)) {
      entrySuppressed(journey, now, FireEvaluator.REENTRY);
      return false;
    }
    JourneyInstance running = active(state, journey.id());
    if (running != null) {
      if (journey.whileActive() == Journey.WhileActive.IGNORE) {
        entrySuppressed(journey, now, ACTIVE);
        return false;
      }
      end(journey, running, now, RESTARTED, running.getStep());
    }
    if (entriesNow == null) {
      entriesNow = new HashMap<>();
    }
    int n = entriesNow.merge(journey.id(), 1, Integer::sum) - 1;
    Map<String, Object> variables = FireEvaluator.triggerVariables(entry, fire, store, now);
    JourneyInstance instance =
        JourneyInstance.newBuilder()
            .setJourneyId(journey.id())
            .setInstance(instanceKey(now, n))
            .setStep(journey.steps().get(0).id())
            .setReachedAt(now)
            .setDueTime(now)
            .setSeq(0)
            .setVariables(Json.write(variables))
            .build();
    state.getJourneys().add(instance);
    out.journey(event(journey, instance, now, ENTERED).build());
    run(journey, instance, 0, null, now);
    return true;
  }

  private void entrySuppressed(Journey journey, long now, String reason) {
    out.journey(event(userId, journey, null, now, ENTRY_SUPPRESSED).setReason(reason).build());
  }

  // ---- events ----

  /** {@code exit_on}: ends the journey's active instance at the event's instant, in any step. */
  void exitOn(Journey journey, UserEvent e) {
    JourneyInstance instance = active(state, journey.id());
    if (instance != null) {
      end(journey, instance, e.time(), EXIT_ON, instance.getStep());
    }
  }

  /**
   * Matches an event against every instance waiting in a {@code wait_for} step reached before the
   * event's instant and not matched yet: the first matching arm wins, and the instance's wake-up
   * (its own, keeping its creation order) moves to the event's instant. Returns whether any did.
   */
  static boolean match(UserEvent e, TriggerState state, Function<String, Journey> journeys) {
    boolean matched = false;
    for (JourneyInstance instance : state.getJourneys()) {
      if (instance.getMatchedArm() != null || instance.getReachedAt() >= e.time()) {
        continue;
      }
      Journey journey = journeys.apply(instance.getJourneyId());
      if (journey == null
          || !journey.enabled()
          || !(journey.step(instance.getStep()) instanceof Step.WaitFor waitFor)) {
        continue;
      }
      for (int i = 0; i < waitFor.arms().size(); i++) {
        Step.Arm arm = waitFor.arms().get(i);
        if (arm.event().equals(e.type())
            && (arm.where() == null || arm.where().test(e::property))) {
          instance.setMatchedArm(i);
          instance.setDueTime(e.time());
          matched = true;
          break;
        }
      }
    }
    return matched;
  }

  // ---- wake-ups and steps ----

  /**
   * The instance's wake-up is due: its step completes (a wait ends, a {@code wait_for} was matched
   * or times out), or a send held by quiet hours runs again from the start. A step that is a send
   * or a branch here (a new version gave the waiting step's id to one) runs from the start too.
   */
  void wake(Journey journey, JourneyInstance instance, long now) {
    int index = journey.indexOf(instance.getStep());
    if (index < 0) {
      end(journey, instance, now, VERSION, instance.getStep());
      return;
    }
    Step step = journey.steps().get(index);
    if (step instanceof Step.Wait w) {
      run(journey, instance, next(journey, index, w.then()), step.id(), now);
    } else if (step instanceof Step.WaitUntil u) {
      run(journey, instance, next(journey, index, u.then()), step.id(), now);
    } else if (step instanceof Step.WaitFor f) {
      Integer arm = instance.getMatchedArm();
      String target =
          arm != null && arm < f.arms().size() ? f.arms().get(arm).goTo() : f.timeoutGoto();
      run(journey, instance, next(journey, index, target), step.id(), now);
    } else {
      run(journey, instance, index, null, now); // a send after its hold, or a branch
    }
  }

  /**
   * Runs the instance from the step at {@code index} at {@code now}: that step and every following
   * one that completes now, until it reaches a step that completes later (it then waits there) or
   * ends. {@code lastRan} is the step that completed before, for a {@code completed} exit.
   */
  private void run(Journey journey, JourneyInstance instance, int index, String lastRan, long now) {
    while (index >= 0 && index < journey.steps().size()) {
      Step step = journey.steps().get(index);
      instance.setStep(step.id());
      instance.setReachedAt(now);
      instance.setMatchedArm(null);
      String target;
      if (step instanceof Step.Send send) {
        Long holdUntil = quietHoursEnd(journey, now);
        if (holdUntil != null) {
          // Held: nothing else is checked now; at the end the step runs again from the start.
          waitUntil(instance, holdUntil);
          out.journey(event(journey, instance, now, HELD).setStep(send.id()).build());
          return;
        }
        send(journey, send, instance, now);
        target = send.then();
      } else if (step instanceof Step.Wait w) {
        if (w.duration() > 0) {
          waitUntil(instance, now + w.duration());
          return;
        }
        target = w.then();
      } else if (step instanceof Step.WaitUntil u) {
        long at = WaitUntilInstant.next(u, zone(now), now);
        if (at > now) {
          waitUntil(instance, at);
          return;
        }
        target = u.then();
      } else if (step instanceof Step.WaitFor f) {
        waitUntil(instance, now + f.timeoutAfter());
        return;
      } else {
        target = route((Step.Branch) step, now);
      }
      lastRan = step.id();
      index = next(journey, index, target);
    }
    end(journey, instance, now, COMPLETED, lastRan);
  }

  /** The index a target leads to: null is the next step, {@link Step#END} is -1 (the end). */
  private static int next(Journey journey, int index, String target) {
    if (target == null) {
      return index + 1;
    }
    return target.equals(Step.END) ? -1 : journey.indexOf(target);
  }

  /** The first route whose condition holds on the profile; else the branch's else. */
  private String route(Step.Branch branch, long now) {
    ProfileView profile = new ProfileView(store, now);
    for (Step.Route route : branch.routes()) {
      if (route.when().test(profile::get)) {
        return route.goTo();
      }
    }
    return branch.otherwise();
  }

  /**
   * The instance waits in its step until {@code due}: a new wake-up, numbered in creation order
   * from the counter pending fires use, so fires and wake-ups due at one instant keep one order.
   */
  private void waitUntil(JourneyInstance instance, long due) {
    long seq = state.getNextSeq();
    state.setNextSeq(seq + 1);
    instance.setDueTime(due);
    instance.setSeq(seq);
  }

  /** The end of the quiet hours {@code now} lies in, for this journey; null when it sends now. */
  private Long quietHoursEnd(Journey journey, long now) {
    if (journey.policies().ignoreQuietHours() || policies.quietHours() == null) {
      return null;
    }
    long end = policies.quietHours().sendAfter(now, zone(now));
    return end > now ? end : null;
  }

  private ZoneId zone(long now) {
    return policies.zoneOf(new ProfileView(store, now).get("timezone"));
  }

  /** Removes the instance from state and writes its {@code exited} event. */
  private void end(
      Journey journey, JourneyInstance instance, long now, String reason, String step) {
    remove(state, instance);
    out.journey(exited(userId, journey, instance, now, reason, step));
  }

  static void remove(TriggerState state, JourneyInstance instance) {
    for (Iterator<JourneyInstance> it = state.getJourneys().iterator(); it.hasNext(); ) {
      if (it.next() == instance) {
        it.remove();
        return;
      }
    }
  }

  static JourneyEvent exited(
      String userId,
      Journey journey,
      JourneyInstance instance,
      long now,
      String reason,
      String step) {
    return event(userId, journey, instance.getInstance(), now, EXITED)
        .setStep(step)
        .setReason(reason)
        .build();
  }

  private JourneyEvent.Builder event(
      Journey journey, JourneyInstance instance, long now, String type) {
    return event(userId, journey, instance.getInstance(), now, type);
  }

  /** A journey event's common fields; {@code instance} is null for an entry attempt. */
  private static JourneyEvent.Builder event(
      String userId, Journey journey, String instance, long now, String type) {
    return JourneyEvent.newBuilder()
        .setUserId(userId)
        .setJourneyId(journey.id())
        .setJourneyVersion(journey.version())
        .setInstance(instance)
        .setTime(Instant.ofEpochMilli(now))
        .setType(type);
  }

  // ---- sends ----

  /**
   * A send step outside quiet hours: the checks of section 3b as section 7 changes them (step
   * audience, reachability, caps; no reentry, no holdout), then the command. A suppressed send is a
   * suppression, and the instance goes on either way.
   */
  private void send(Journey journey, Step.Send step, JourneyInstance instance, long now) {
    ProfileView profile = new ProfileView(store, now);
    if (step.audience() != null && !step.audience().test(profile::get)) {
      suppressed(journey, step, instance, now, FireEvaluator.AUDIENCE);
      return;
    }
    String[] channelAndAddress = FireEvaluator.reachableChannel(step.message(), store);
    if (channelAndAddress == null) {
      suppressed(journey, step, instance, now, FireEvaluator.UNREACHABLE);
      return;
    }
    boolean countsForCaps = !journey.policies().ignoreFrequencyCaps();
    if (countsForCaps && FrequencyCaps.reached(policies, state.getCapHistory(), now)) {
      suppressed(journey, step, instance, now, FireEvaluator.FREQUENCY_CAP);
      return;
    }
    Map<String, Object> frozen = Json.parseObject(instance.getVariables());
    Function<String, Object> lookup = name -> lookup(frozen, profile, name);
    Template[] text = text(step.message(), lookup);
    String sendId = SendIds.ofJourney(journey.id(), userId, instance.getInstance(), step.id());
    out.sent(
        SendCommand.newBuilder()
            .setSendId(sendId)
            .setUserId(userId)
            .setRuleId(journey.id())
            .setRuleVersion(journey.version())
            .setTrigger(TRIGGER)
            .setFireTime(Instant.ofEpochMilli(now))
            // Never inside quiet hours: the step held until their end instead.
            .setSendAfter(Instant.ofEpochMilli(now))
            .setExpiresAt(Instant.ofEpochMilli(now + step.expireAfter()))
            .setChannel(channelAndAddress[0])
            .setAddress(channelAndAddress[1])
            .setVariant(Experiment.DEFAULT_VARIANT)
            .setTitle(
                text[0] == null
                    ? null
                    : text[0].render(lookup::apply, RuleLimits.RENDERED_TITLE_CHARS))
            .setBody(text[1].render(lookup::apply, RuleLimits.RENDERED_BODY_CHARS))
            .setVariables(instance.getVariables())
            .setJourneyStep(step.id())
            .setJourneyInstance(instance.getInstance())
            .build());
    if (countsForCaps) {
      FrequencyCaps.spend(policies, state.getCapHistory(), now);
    }
    out.journey(event(journey, instance, now, SENT).setStep(step.id()).setSendId(sendId).build());
  }

  /**
   * What a journey template sees: {@code event.*} is always the entry event's; any other name is
   * the profile's as it is now, else the frozen trigger variable of that name.
   */
  private static Object lookup(Map<String, Object> frozen, ProfileView profile, String name) {
    if (name.equals("event") || name.startsWith("event.")) {
      return Paths.lookup(frozen, name);
    }
    Object fromProfile = profile.get(name);
    return fromProfile != null ? fromProfile : Paths.lookup(frozen, name);
  }

  /** Title and body: the message's, overridden by the first variant whose {@code when} holds. */
  private static Template[] text(Rule.Message message, Function<String, Object> lookup) {
    Template title = message.title();
    Template body = message.body();
    for (Rule.Variant variant : message.variants()) {
      if (variant.when().test(lookup)) {
        title = variant.title() != null ? variant.title() : title;
        body = variant.body() != null ? variant.body() : body;
        break;
      }
    }
    return new Template[] {title, body};
  }

  private void suppressed(
      Journey journey, Step.Send step, JourneyInstance instance, long now, String reason) {
    out.suppressed(
        Suppression.newBuilder()
            .setUserId(userId)
            .setRuleId(journey.id())
            .setRuleVersion(journey.version())
            .setTrigger(TRIGGER)
            .setFireTime(Instant.ofEpochMilli(now))
            .setReason(reason)
            .setJourneyStep(step.id())
            .setJourneyInstance(instance.getInstance())
            .build());
    out.journey(
        event(journey, instance, now, SUPPRESSED).setStep(step.id()).setReason(reason).build());
  }
}
