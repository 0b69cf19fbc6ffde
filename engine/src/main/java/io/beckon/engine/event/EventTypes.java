package io.beckon.engine.event;

/** The core event types of the contract. Any other type is a custom event. */
public final class EventTypes {
  public static final String APP_OPENED = "app_opened";
  public static final String ATTRIBUTES_SET = "attributes_set";
  public static final String CART_ITEM_ADDED = "cart_item_added";
  public static final String CART_ITEM_REMOVED = "cart_item_removed";
  public static final String CART_CLEARED = "cart_cleared";
  public static final String PURCHASE_COMPLETED = "purchase_completed";
  public static final String LOCATION_UPDATED = "location_updated";
  public static final String PUSH_TOKEN_REGISTERED = "push_token_registered";
  public static final String CHANNEL_CONSENT_CHANGED = "channel_consent_changed";
  public static final String USER_ERASED = "user_erased";

  private EventTypes() {}
}
