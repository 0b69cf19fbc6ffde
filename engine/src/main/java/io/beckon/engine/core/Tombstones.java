package io.beckon.engine.core;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Which attribute deletion markers to forget when a user has more than the limit. */
public final class Tombstones {
  private Tombstones() {}

  /** The names of all but the newest {@code keep} markers (by event time, then name). */
  public static List<String> oldestBeyond(List<Map.Entry<String, Long>> markers, int keep) {
    if (markers.size() <= keep) {
      return List.of();
    }
    return markers.stream()
        .sorted(
            Comparator.comparing((Map.Entry<String, Long> m) -> m.getValue())
                .thenComparing(Map.Entry::getKey))
        .limit(markers.size() - keep)
        .map(Map.Entry::getKey)
        .toList();
  }
}
