package io.beckon.engine.core;

import io.beckon.engine.event.Paths;
import io.beckon.engine.json.Json;
import io.beckon.engine.profile.ProfileView;
import io.beckon.engine.rules.Channels;
import io.beckon.engine.rules.Experiment;
import io.beckon.engine.rules.Policies;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleLimits;
import io.beckon.engine.rules.Trigger;
import io.beckon.engine.template.Template;
import io.beckon.engine.time.Durations;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.state.PendingFire;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides what one rule fire does (contract section 3b): the checks in order, the first failing one
 * naming the suppression reason, otherwise a rendered send command.
 */
final class FireEvaluator {
  static final String AUDIENCE = "audience";
  static final String REENTRY = "reentry";
  static final String HOLDOUT = "holdout";
  static final String UNREACHABLE = "unreachable";
  static final String FREQUENCY_CAP = "frequency_cap";

  /** What a fire came to. */
  enum Result {
    SUPPRESSED,
    HELD_OUT,
    SENT;

    /** Sent and holdout fires start a cooldown and end a once-only rule (section 3b). */
    boolean countsForReentry() {
      return this != SUPPRESSED;
    }
  }

  private FireEvaluator() {}

  /**
   * Evaluates a fire at {@code now} through the checks of section 3b, in order: audience, reentry
   * cooldown, experiment holdout, reachability, frequency caps. A sent command spends the caps
   * (unless its rule ignores them); a sent or holdout fire opens the rule's conversion window. Both
   * are recorded in {@code state}, the user's trigger state being updated by the caller.
   */
  static Result evaluate(
      Rule rule,
      Policies policies,
      PendingFire fire,
      String userId,
      long now,
      UserStore store,
      TriggerState state,
      FireListener out) {
    ProfileView profile = new ProfileView(store, now);
    if (rule.audience() != null && !rule.audience().test(profile::get)) {
      out.suppressed(suppression(rule, userId, now, AUDIENCE));
      return Result.SUPPRESSED;
    }
    if (blockedByCooldown(rule.reentry(), state.getLastFire().get(rule.id()), now)) {
      out.suppressed(suppression(rule, userId, now, REENTRY));
      return Result.SUPPRESSED;
    }
    String group =
        rule.experiment() == null
            ? Experiment.DEFAULT_VARIANT
            : rule.experiment().group(Experiment.bucket(rule.id(), userId));
    String sendId = SendIds.of(rule.id(), userId, fire);
    if (group.equals(Experiment.HOLDOUT)) {
      out.suppressed(suppression(rule, userId, now, HOLDOUT));
      Conversions.open(rule, sendId, group, now, state);
      return Result.HELD_OUT;
    }
    String[] channelAndAddress = reachableChannel(rule.message(), store);
    if (channelAndAddress == null) {
      out.suppressed(suppression(rule, userId, now, UNREACHABLE));
      return Result.SUPPRESSED;
    }
    boolean countsForCaps = !rule.policies().ignoreFrequencyCaps();
    if (countsForCaps && FrequencyCaps.reached(policies, state.getCapHistory(), now)) {
      out.suppressed(suppression(rule, userId, now, FREQUENCY_CAP));
      return Result.SUPPRESSED;
    }
    Map<String, Object> variables = triggerVariables(rule, fire, store, now);
    Function<String, Object> lookup =
        name -> {
          Object v = Paths.lookup(variables, name);
          return v != null ? v : profile.get(name);
        };
    Template[] text = text(rule, group, lookup);
    long sendAfter =
        rule.policies().ignoreQuietHours() || policies.quietHours() == null
            ? now
            : policies.quietHours().sendAfter(now, policies.zoneOf(profile.get("timezone")));
    out.sent(
        SendCommand.newBuilder()
            .setSendId(sendId)
            .setUserId(userId)
            .setRuleId(rule.id())
            .setRuleVersion(rule.version())
            .setTrigger(rule.trigger().kind())
            .setFireTime(Instant.ofEpochMilli(now))
            .setSendAfter(Instant.ofEpochMilli(sendAfter))
            .setExpiresAt(Instant.ofEpochMilli(sendAfter + rule.expireAfter()))
            .setChannel(channelAndAddress[0])
            .setAddress(channelAndAddress[1])
            .setVariant(group)
            .setTitle(
                text[0] == null
                    ? null
                    : text[0].render(lookup::apply, RuleLimits.RENDERED_TITLE_CHARS))
            .setBody(text[1].render(lookup::apply, RuleLimits.RENDERED_BODY_CHARS))
            .setVariables(Json.write(variables))
            .build());
    if (countsForCaps) {
      FrequencyCaps.spend(policies, state.getCapHistory(), now);
    }
    Conversions.open(rule, sendId, group, now, state);
    return Result.SENT;
  }

  /**
   * Title and body: the experiment variant's where it has them, else the message's; then the first
   * message variant whose {@code when} holds overrides them (section 6: message variants apply
   * inside every experiment variant).
   */
  private static Template[] text(Rule rule, String group, Function<String, Object> lookup) {
    Template title = rule.message().title();
    Template body = rule.message().body();
    Experiment.Variant arm = rule.experiment() == null ? null : rule.experiment().variant(group);
    if (arm != null) {
      title = arm.title() != null ? arm.title() : title;
      body = arm.body() != null ? arm.body() : body;
    }
    for (Rule.Variant variant : rule.message().variants()) {
      if (variant.when().test(lookup)) {
        title = variant.title() != null ? variant.title() : title;
        body = variant.body() != null ? variant.body() : body;
        break;
      }
    }
    return new Template[] {title, body};
  }

  /**
   * A reentry cooldown, half-open: an earlier fire at p blocks a fire at T when T - D < p <= T. A
   * once-only rule never gets here after its first counted fire (its fires no longer happen).
   */
  static boolean blockedByCooldown(Rule.Reentry reentry, Long lastFire, long now) {
    if (lastFire == null || reentry.once()) {
      return false;
    }
    return reentry.cooldown() > 0 && now - reentry.cooldown() < lastFire && lastFire <= now;
  }

  /** The first reachable channel among channel then fallbacks, with its address. */
  static String[] reachableChannel(Rule.Message message, UserStore store) {
    List<String> candidates = new ArrayList<>();
    candidates.add(message.channel());
    candidates.addAll(message.fallback());
    ProfileState p = store.profile();
    for (String channel : candidates) {
      if (channel.equals(Channels.IN_APP)) {
        return new String[] {channel, null};
      }
      if (p == null || Boolean.FALSE.equals(p.getConsent().get(channel))) {
        continue;
      }
      String address =
          switch (channel) {
            case Channels.PUSH -> p.getPushToken();
            case Channels.EMAIL -> nonEmptyString(store.attribute("email"));
            default -> nonEmptyString(store.attribute("phone"));
          };
      if (address != null && !address.isEmpty()) {
        return new String[] {channel, address};
      }
    }
    return null;
  }

  private static String nonEmptyString(Object value) {
    return value instanceof String s && !s.isEmpty() ? s : null;
  }

  /** The trigger variables of the contract, per trigger kind. */
  static Map<String, Object> triggerVariables(
      Rule rule, PendingFire fire, UserStore store, long now) {
    Map<String, Object> vars = new LinkedHashMap<>();
    Trigger trigger = rule.trigger();
    if (trigger instanceof Trigger.CartAbandoned) {
      vars.put("cart_value", ProfileView.cartValue(store.cart()));
      vars.put("cart_units", ProfileView.cartUnits(store.cart()));
      vars.put("cart_skus", ProfileView.cartSkus(store.cart()));
    } else if (trigger instanceof Trigger.Inactivity) {
      // Whole days, so "away {{ inactive_days }} days" reads naturally.
      vars.put("inactive_days", (now - fire.getArmedAt()) / Durations.DAY);
    } else if (trigger instanceof Trigger.GeofenceEntered) {
      vars.put("fence_id", fire.getFenceId());
      vars.put("distance_m", fire.getDistanceM());
    } else if (trigger instanceof Trigger.OnDate) {
      if (fire.getOccurrenceDate() != null) {
        vars.put("occurrence_date", fire.getOccurrenceDate());
      }
      if (fire.getYears() != null) {
        vars.put("years", (long) fire.getYears());
      }
    } else {
      vars.put("event", Json.parseObject(fire.getEventProperties()));
    }
    return vars;
  }

  static Suppression suppression(Rule rule, String userId, long now, String reason) {
    return Suppression.newBuilder()
        .setUserId(userId)
        .setRuleId(rule.id())
        .setRuleVersion(rule.version())
        .setTrigger(rule.trigger().kind())
        .setFireTime(Instant.ofEpochMilli(now))
        .setReason(reason)
        .build();
  }
}
