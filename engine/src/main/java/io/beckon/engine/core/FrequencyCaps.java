package io.beckon.engine.core;

import io.beckon.engine.rules.Policies;
import java.util.List;

/**
 * Frequency caps (contract sections 3b and 6) over one user's cap history: the fire times of sent
 * commands of rules that do not ignore caps, oldest first. Holdout fires and suppressions never
 * enter it.
 */
final class FrequencyCaps {
  private FrequencyCaps() {}

  /** Whether some cap already has {@code max} sends with fire_time in {@code (now - per, now]}. */
  static boolean reached(Policies policies, List<Long> history, long now) {
    for (Policies.FrequencyCap cap : policies.frequencyCaps()) {
      int inWindow = 0;
      for (int i = history.size() - 1; i >= 0; i--) {
        long p = history.get(i);
        if (p <= now - cap.per()) {
          break; // oldest first: everything before is outside the window too
        }
        if (p <= now && ++inWindow >= cap.max()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Records a send at {@code now}; nothing is kept when no cap is configured. */
  static void spend(Policies policies, List<Long> history, long now) {
    if (!policies.frequencyCaps().isEmpty()) {
      history.add(now);
    }
  }

  /**
   * Forgets sends no cap window can see from {@code now} on (p <= now - longest window), so the
   * history holds only what the longest window needs and is empty once it has passed.
   */
  static void forget(Policies policies, List<Long> history, long now) {
    long longest = policies.longestCapWindow();
    history.removeIf(p -> longest == 0 || p <= now - longest);
  }

  /** When the oldest remembered send stops counting for every cap; null with no history. */
  static Long nextForget(Policies policies, List<Long> history) {
    return history.isEmpty() ? null : history.get(0) + Math.max(policies.longestCapWindow(), 0);
  }
}
