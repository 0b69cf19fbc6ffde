package io.beckon.engine.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beckon.engine.core.InMemoryUserStore;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import io.beckon.engine.time.Durations;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contract sections 1 and 6, "Profile". */
class ProfileTest {
  static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  final InMemoryUserStore store = new InMemoryUserStore();

  void apply(String type, long time, String props) {
    ProfileUpdater.apply(
        new UserEvent("e" + time, "u", type, time, Json.parseObject(props)), store);
  }

  Object get(String name, long at) {
    return new ProfileView(store, at).get(name);
  }

  @Test
  void countersReadZeroFromTheFirstEventAndTimestampsOnlyOnceSet() {
    apply("product_viewed", T0, "{}");
    assertEquals(0L, get("session_count", T0));
    assertEquals(0L, get("purchase_count", T0));
    assertEquals(0.0, get("total_spent", T0));
    assertEquals(0.0, get("cart_value", T0));
    assertEquals(0L, get("cart_units", T0));
    assertEquals(List.of(), get("cart_skus", T0));
    assertEquals(0L, get("event_count.app_opened", T0));
    assertEquals(1L, get("event_count.product_viewed", T0));
    assertNull(get("last_active_at", T0));
    assertNull(get("last_purchase_at", T0));
    assertEquals(Instant.ofEpochMilli(T0), get("first_seen_at", T0));
  }

  @Test
  void cartLinesTakeTheLatestPriceAndKeepFirstAddedOrder() {
    apply("cart_item_added", T0, "{\"sku\":\"B\",\"quantity\":1,\"price\":2}");
    apply("cart_item_added", T0 + 1, "{\"sku\":\"A\",\"quantity\":2,\"price\":1}");
    apply("cart_item_added", T0 + 2, "{\"sku\":\"B\",\"quantity\":2,\"price\":5}");
    assertEquals(List.of("B", "A"), get("cart_skus", T0));
    assertEquals(5L, get("cart_units", T0));
    assertEquals(3 * 5.0 + 2 * 1.0, get("cart_value", T0));
    apply("cart_item_removed", T0 + 3, "{\"sku\":\"B\",\"quantity\":7}");
    assertEquals(List.of("A"), get("cart_skus", T0));
    apply("cart_item_removed", T0 + 4, "{\"sku\":\"A\"}");
    assertNull(store.cart(), "removing all units of the last line empties the cart");
  }

  @Test
  void purchaseEmptiesTheCartAndCounts() {
    apply("cart_item_added", T0, "{\"sku\":\"A\",\"price\":3}");
    apply("purchase_completed", T0 + 5, "{\"total\":12.5}");
    assertEquals(1L, get("purchase_count", T0));
    assertEquals(12.5, get("total_spent", T0));
    assertEquals(Instant.ofEpochMilli(T0 + 5), get("last_purchase_at", T0));
    assertEquals(0L, get("cart_units", T0));
  }

  @Test
  void oneAttributeNamespaceWhereComputedPropertiesShadowAndNullDeletes() {
    apply("app_opened", T0, "{\"platform\":\"ios\",\"timezone\":\"Europe/Warsaw\"}");
    apply(
        "attributes_set",
        T0 + 1,
        "{\"attributes\":{\"platform\":\"android\",\"session_count\":99,\"email\":\"a@b.c\"}}");
    assertEquals(
        "android", get("platform", T0), "last write wins across app_opened and attributes_set");
    assertEquals(1L, get("session_count", T0), "a computed property shadows a custom attribute");
    apply("attributes_set", T0 + 2, "{\"attributes\":{\"email\":null}}");
    assertNull(get("email", T0));
  }

  @Test
  void lifecycleStageBoundaries() {
    apply("product_viewed", T0, "{}");
    assertEquals("new", get("lifecycle_stage", T0 + 7 * Durations.DAY - 1));
    assertEquals("active", get("lifecycle_stage", T0 + 7 * Durations.DAY));
    assertEquals("active", get("lifecycle_stage", T0 + 30 * Durations.DAY - 1));
    assertEquals(
        "inactive",
        get("lifecycle_stage", T0 + 30 * Durations.DAY),
        "never active: from first_seen_at");
    apply("app_opened", T0 + 20 * Durations.DAY, "{}");
    assertEquals("active", get("lifecycle_stage", T0 + 49 * Durations.DAY));
    assertEquals("inactive", get("lifecycle_stage", T0 + 50 * Durations.DAY));
    for (int i = 0; i < 5; i++) {
      apply("purchase_completed", T0 + 21 * Durations.DAY + i, "{}");
    }
    assertEquals("loyal", get("lifecycle_stage", T0 + 40 * Durations.DAY));
    assertEquals(
        "inactive", get("lifecycle_stage", T0 + 50 * Durations.DAY), "inactive wins over loyal");
  }

  @Test
  void onlyAppOpenedSetsLastActive() {
    apply("purchase_completed", T0, "{}");
    assertNull(get("last_active_at", T0));
    apply("app_opened", T0 + 1, "{}");
    assertEquals(Instant.ofEpochMilli(T0 + 1), get("last_active_at", T0));
  }
}
