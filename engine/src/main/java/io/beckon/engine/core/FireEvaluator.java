package io.beckon.engine.core;

import io.beckon.engine.event.Paths;
import io.beckon.engine.json.Json;
import io.beckon.engine.profile.ProfileView;
import io.beckon.engine.rules.Channels;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleLimits;
import io.beckon.engine.rules.Trigger;
import io.beckon.engine.template.Template;
import io.beckon.engine.time.Durations;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.state.PendingFire;
import io.beckon.schema.state.ProfileState;
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
  static final String UNREACHABLE = "unreachable";

  private FireEvaluator() {}

  /**
   * Evaluates a fire at {@code now}; returns true when the fire was sent or held out (it then
   * counts for reentry).
   */
  static boolean evaluate(
      Rule rule, PendingFire fire, String userId, long now, UserStore store, FireListener out) {
    ProfileView profile = new ProfileView(store, now);
    if (rule.audience() != null && !rule.audience().test(profile::get)) {
      out.suppressed(suppression(rule, userId, now, AUDIENCE));
      return false;
    }
    Long lastFire = store.triggers() == null ? null : store.triggers().getLastFire().get(rule.id());
    if (blockedByReentry(rule.reentry(), lastFire, now)) {
      out.suppressed(suppression(rule, userId, now, REENTRY));
      return false;
    }
    String[] channelAndAddress = reachableChannel(rule.message(), store);
    if (channelAndAddress == null) {
      out.suppressed(suppression(rule, userId, now, UNREACHABLE));
      return false;
    }
    Map<String, Object> variables = triggerVariables(rule, fire, store, now);
    Function<String, Object> lookup =
        name -> {
          Object v = Paths.lookup(variables, name);
          return v != null ? v : profile.get(name);
        };
    Template title = rule.message().title();
    Template body = rule.message().body();
    for (Rule.Variant variant : rule.message().variants()) {
      if (variant.when().test(lookup)) {
        title = variant.title() != null ? variant.title() : title;
        body = variant.body() != null ? variant.body() : body;
        break;
      }
    }
    long sendAfter = now;
    out.sent(
        SendCommand.newBuilder()
            .setSendId(SendIds.of(rule.id(), userId, fire))
            .setUserId(userId)
            .setRuleId(rule.id())
            .setRuleVersion(rule.version())
            .setTrigger(rule.trigger().kind())
            .setFireTime(Instant.ofEpochMilli(now))
            .setSendAfter(Instant.ofEpochMilli(sendAfter))
            .setExpiresAt(Instant.ofEpochMilli(sendAfter + rule.expireAfter()))
            .setChannel(channelAndAddress[0])
            .setAddress(channelAndAddress[1])
            .setVariant("default")
            .setTitle(
                title == null ? null : title.render(lookup::apply, RuleLimits.RENDERED_TITLE_CHARS))
            .setBody(body.render(lookup::apply, RuleLimits.RENDERED_BODY_CHARS))
            .setVariables(Json.write(variables))
            .build());
    return true;
  }

  /** Half-open window: an earlier fire at p blocks a fire at T when T - D < p <= T. */
  static boolean blockedByReentry(Rule.Reentry reentry, Long lastFire, long now) {
    if (lastFire == null) {
      return false;
    }
    if (reentry.once()) {
      return true;
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
