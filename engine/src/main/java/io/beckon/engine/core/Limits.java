package io.beckon.engine.core;

/**
 * Per-user bounds on state (contract section 1, limits; the README's "Per-user state bounds" table
 * lists every structure and what bounds it). The first two are the contract's; the others are
 * Beckon's, where the contract is silent.
 */
public final class Limits {
  /** Names in a user's attribute map, app_opened fields included (contract). */
  public static final int ATTRIBUTES = 256;

  /** Distinct event types counted in {@code event_count.<type>} per user (contract). */
  public static final int COUNTED_EVENT_TYPES = 512;

  /**
   * Deletion markers kept per user ([time, null] entries that stop an older late write from
   * bringing a deleted attribute back); beyond it the oldest are forgotten.
   */
  public static final int ATTRIBUTE_TOMBSTONES = 256;

  /** Distinct skus in a cart; a cart_item_added of a new sku beyond it is malformed. */
  public static final int CART_LINES = 256;

  /**
   * Pending fires of one rule for one user (only delayed {@code event} triggers can have more than
   * one); a matching event beyond it arms nothing.
   */
  public static final int PENDING_FIRES_PER_RULE = 256;

  /**
   * Open conversion windows of one rule for one user (a rule that fires on every matching event
   * opens one per fire); a fire beyond it closes that rule's oldest window unconverted first.
   */
  public static final int OPEN_CONVERSIONS_PER_RULE = 256;

  private Limits() {}
}
