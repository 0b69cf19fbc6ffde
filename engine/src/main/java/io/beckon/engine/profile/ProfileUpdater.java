package io.beckon.engine.profile;

import static io.beckon.engine.event.EventTypes.*;

import io.beckon.engine.core.Limits;
import io.beckon.engine.core.UserStore;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.rules.Channels;
import io.beckon.schema.state.CartLine;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Applies an event's effect on the profile (contract section 1 and 6, "Profile"). */
public final class ProfileUpdater {
  private static final List<String> APP_FIELDS =
      List.of("app_version", "platform", "locale", "timezone");

  private ProfileUpdater() {}

  /**
   * Why applying the event would break a per-user limit (contract section 1), or null. Checked
   * before any effect, so a rejected event changes nothing. An {@code attributes_set} is judged by
   * the attribute count it would leave (its deletions and, for a late event, its writes that an
   * older time makes void taken into account); a {@code cart_item_added} of a new sku by the number
   * of lines (late events do not touch the cart).
   */
  public static String limitBroken(UserEvent e, UserStore store, boolean late) {
    if (e.type().equals(ATTRIBUTES_SET)
        && e.properties().get("attributes") instanceof Map<?, ?> attributes) {
      int count = store.attributeCount();
      for (Map.Entry<?, ?> a : attributes.entrySet()) {
        String name = String.valueOf(a.getKey());
        boolean present = store.attribute(name) != null;
        if (takesEffect(store, name, e.time(), late)) {
          count += (a.getValue() != null ? 1 : 0) - (present ? 1 : 0);
        }
      }
      if (count > Limits.ATTRIBUTES) {
        return "attributes_set: would leave the user "
            + count
            + " attributes; the limit is "
            + Limits.ATTRIBUTES
            + " per user (app_opened fields included)";
      }
    }
    if (!late && e.type().equals(CART_ITEM_ADDED) && store.cart() != null) {
      CartState cart = store.cart();
      if (cart.getLines().size() >= Limits.CART_LINES
          && findLine(cart, (String) e.properties().get("sku")) == null) {
        return "cart_item_added: a new sku in a cart that already holds "
            + Limits.CART_LINES
            + " skus, the limit per cart";
      }
    }
    return null;
  }

  private static boolean takesEffect(UserStore store, String name, long time, boolean late) {
    if (!late) {
      return true;
    }
    Long newest = store.attributeTime(name);
    return newest == null || time >= newest;
  }

  /** The full effect of an on-time event. */
  public static void apply(UserEvent e, UserStore store) {
    ProfileState p = store.profile();
    if (p == null) {
      p = newProfile(e.time());
    }
    p.setLastSeenAt(Math.max(p.getLastSeenAt(), e.time()));
    countEvent(p, e);
    switch (e.type()) {
      case APP_OPENED -> {
        p.setLastActiveAt(e.time());
        p.setSessionCount(p.getSessionCount() + 1);
        for (String field : APP_FIELDS) {
          if (e.properties().get(field) != null) {
            store.attribute(field, e.properties().get(field), e.time());
          }
        }
      }
      case CART_ITEM_ADDED -> addToCart(e, store);
      case CART_ITEM_REMOVED -> removeFromCart(e, store);
      case CART_CLEARED -> store.cart(null);
      case PURCHASE_COMPLETED -> {
        store.cart(null);
        p.setPurchaseCount(p.getPurchaseCount() + 1);
        if (e.properties().get("total") instanceof Number total) {
          p.setTotalSpent(p.getTotalSpent() + total.doubleValue());
        }
        p.setLastPurchaseAt(e.time());
      }
      case LOCATION_UPDATED -> {
        p.setLastLat(((Number) e.properties().get("lat")).doubleValue());
        p.setLastLon(((Number) e.properties().get("lon")).doubleValue());
      }
      default -> applyReachability(e, store, p, false);
    }
    store.profile(p);
  }

  /**
   * The effect of a late event (contract section 2): it updates attributes, consent and tokens, in
   * event-time order (a late older value never replaces a newer one), and counts in {@code
   * event_count} and {@code last_seen_at}; it changes no activity, cart or purchase counter.
   */
  public static void applyLate(UserEvent e, UserStore store) {
    ProfileState p = store.profile();
    if (p == null) {
      p = newProfile(e.time());
    }
    p.setFirstSeenAt(Math.min(p.getFirstSeenAt(), e.time()));
    p.setLastSeenAt(Math.max(p.getLastSeenAt(), e.time()));
    countEvent(p, e);
    applyReachability(e, store, p, true);
    store.profile(p);
  }

  private static void applyReachability(
      UserEvent e, UserStore store, ProfileState p, boolean late) {
    switch (e.type()) {
      case ATTRIBUTES_SET -> {
        if (e.properties().get("attributes") instanceof Map<?, ?> attributes) {
          boolean deletes = false;
          for (Map.Entry<?, ?> a : attributes.entrySet()) {
            String name = String.valueOf(a.getKey());
            if (takesEffect(store, name, e.time(), late)) {
              store.attribute(name, a.getValue(), e.time());
              deletes |= a.getValue() == null;
            }
          }
          if (deletes) {
            store.pruneAttributeTombstones(Limits.ATTRIBUTE_TOMBSTONES);
          }
        }
      }
      case PUSH_TOKEN_REGISTERED -> {
        if (!late || p.getPushTokenAt() == null || e.time() >= p.getPushTokenAt()) {
          p.setPushToken((String) e.properties().get("token"));
          p.setPushTokenAt(e.time());
        }
      }
      case CHANNEL_CONSENT_CHANGED -> {
        // Only the contract's channels: consent for any other name would grow the map unbounded.
        if (e.properties().get("channel") instanceof String channel
            && Channels.ALL.contains(channel)
            && e.properties().get("granted") instanceof Boolean granted) {
          Long newest = p.getConsentAt().get(channel);
          if (!late || newest == null || e.time() >= newest) {
            p.getConsent().put(channel, granted);
            p.getConsentAt().put(channel, e.time());
          }
        }
      }
      default -> {}
    }
  }

  /**
   * Counts the event in {@code event_count}: only the first {@link Limits#COUNTED_EVENT_TYPES}
   * distinct types in event-time order are counted. A late event of a new type that comes before
   * the latest counted type's first event takes that type's place (which then reads 0).
   */
  private static void countEvent(ProfileState p, UserEvent e) {
    Map<String, Long> counts = p.getEventCounts();
    if (counts.containsKey(e.type())) {
      counts.merge(e.type(), 1L, Long::sum);
      return;
    }
    if (p.getEventCountSince() == null) {
      p.setEventCountSince(new HashMap<>());
    }
    Map<String, Long> since = p.getEventCountSince();
    if (counts.size() >= Limits.COUNTED_EVENT_TYPES) {
      String latest = null;
      long latestSince = Long.MIN_VALUE;
      for (String type : counts.keySet()) {
        // Types counted before this limit existed have no time: as old as the profile.
        long t = since.getOrDefault(type, p.getFirstSeenAt());
        if (latest == null || t > latestSince || (t == latestSince && type.compareTo(latest) > 0)) {
          latest = type;
          latestSince = t;
        }
      }
      if (e.time() >= latestSince) {
        return; // applies, but its event_count reads 0
      }
      counts.remove(latest);
      since.remove(latest);
    }
    counts.put(e.type(), 1L);
    since.put(e.type(), e.time());
  }

  private static ProfileState newProfile(long time) {
    return ProfileState.newBuilder()
        .setFirstSeenAt(time)
        .setLastSeenAt(time)
        .setEventCounts(new HashMap<>())
        .setEventCountSince(new HashMap<>())
        .setConsent(new HashMap<>())
        .setConsentAt(new HashMap<>())
        .build();
  }

  private static void addToCart(UserEvent e, UserStore store) {
    CartState cart = store.cart() == null ? new CartState(new ArrayList<>()) : store.cart();
    String sku = (String) e.properties().get("sku");
    long quantity = e.properties().get("quantity") instanceof Number q ? q.longValue() : 1;
    double price = e.properties().get("price") instanceof Number n ? n.doubleValue() : 0;
    CartLine line = findLine(cart, sku);
    if (line == null) {
      line = new CartLine(sku, null, 0L, price, null);
      cart.getLines().add(line);
    }
    line.setQuantity(line.getQuantity() + quantity);
    // The latest price applies to the whole line.
    line.setPrice(price);
    if (e.properties().get("name") instanceof String name) {
      line.setName(name);
    }
    if (e.properties().get("currency") instanceof String currency) {
      line.setCurrency(currency);
    }
    if (line.getQuantity() <= 0) {
      cart.getLines().remove(line);
    }
    store.cart(cart.getLines().isEmpty() ? null : cart);
  }

  private static void removeFromCart(UserEvent e, UserStore store) {
    CartState cart = store.cart();
    if (cart == null) {
      return;
    }
    CartLine line = findLine(cart, (String) e.properties().get("sku"));
    if (line == null) {
      return;
    }
    Object quantity = e.properties().get("quantity");
    long remaining = quantity instanceof Number q ? line.getQuantity() - q.longValue() : 0;
    if (remaining <= 0) {
      cart.getLines().remove(line);
    } else {
      line.setQuantity(remaining);
    }
    store.cart(cart.getLines().isEmpty() ? null : cart);
  }

  private static CartLine findLine(CartState cart, String sku) {
    for (CartLine line : cart.getLines()) {
      if (line.getSku().equals(sku)) {
        return line;
      }
    }
    return null;
  }
}
