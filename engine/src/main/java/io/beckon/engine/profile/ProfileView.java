package io.beckon.engine.profile;

import io.beckon.engine.core.UserStore;
import io.beckon.engine.time.Durations;
import io.beckon.schema.state.CartLine;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a user's profile at an instant: computed properties first (they shadow custom attributes of
 * the same name), then custom attributes. What audiences and templates see.
 */
public final class ProfileView {
  private static final String EVENT_COUNT_PREFIX = "event_count.";
  private final UserStore store;
  private final long now;

  public ProfileView(UserStore store, long now) {
    this.store = store;
    this.now = now;
  }

  /** An attribute or computed property in the value model; null when missing. */
  public Object get(String name) {
    ProfileState p = store.profile();
    if (p == null) {
      return null;
    }
    if (name.startsWith(EVENT_COUNT_PREFIX)) {
      return p.getEventCounts().getOrDefault(name.substring(EVENT_COUNT_PREFIX.length()), 0L);
    }
    return switch (name) {
      case "first_seen_at" -> Instant.ofEpochMilli(p.getFirstSeenAt());
      case "last_seen_at" -> Instant.ofEpochMilli(p.getLastSeenAt());
      case "last_active_at" -> instant(p.getLastActiveAt());
      case "last_purchase_at" -> instant(p.getLastPurchaseAt());
      case "session_count" -> p.getSessionCount();
      case "purchase_count" -> p.getPurchaseCount();
      case "total_spent" -> p.getTotalSpent();
      case "cart_value" -> cartValue(store.cart());
      case "cart_units" -> cartUnits(store.cart());
      case "cart_skus" -> cartSkus(store.cart());
      case "lifecycle_stage" -> lifecycleStage(p, now);
      default -> store.attribute(name);
    };
  }

  /** {@code new}, {@code inactive}, {@code loyal} or {@code active} at time {@code now}. */
  public static String lifecycleStage(ProfileState p, long now) {
    if (now - p.getFirstSeenAt() < 7 * Durations.DAY) {
      return "new";
    }
    long lastActive = p.getLastActiveAt() != null ? p.getLastActiveAt() : p.getFirstSeenAt();
    if (now - lastActive >= 30 * Durations.DAY) {
      return "inactive";
    }
    if (p.getPurchaseCount() >= 5) {
      return "loyal";
    }
    return "active";
  }

  public static double cartValue(CartState cart) {
    double value = 0;
    if (cart != null) {
      for (CartLine line : cart.getLines()) {
        value += line.getQuantity() * line.getPrice();
      }
    }
    return value;
  }

  public static long cartUnits(CartState cart) {
    long units = 0;
    if (cart != null) {
      for (CartLine line : cart.getLines()) {
        units += line.getQuantity();
      }
    }
    return units;
  }

  public static List<Object> cartSkus(CartState cart) {
    List<Object> skus = new ArrayList<>();
    if (cart != null) {
      cart.getLines().forEach(line -> skus.add(line.getSku()));
    }
    return skus;
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
