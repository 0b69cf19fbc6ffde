package io.beckon.jobs.functions;

import io.beckon.schema.state.PendingSweep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Rule and journey changes on their way to every user of one operator instance, walked a slice of
 * users at a time so that no change costs one long pause on the task thread, however many users
 * there are. Changes are applied in the order they arrived, each to every user before the next.
 *
 * <p>Why this is safe: the operator holds event time back while a sweep runs, so no user's fires or
 * journey steps are taken between the change and the moment the sweep reaches them; and applying a
 * change to a user twice equals applying it once, so a sweep that a failure interrupted simply
 * starts again after the restore.
 */
final class ChangeSweeps {
  /** The users to walk: a fresh stream of every user with state. Closed when the sweep ends. */
  interface Users extends Supplier<Stream<String>> {}

  /** Orders restored sweeps as they arrived: rules topic partition, then offset. */
  static final Comparator<PendingSweep> ARRIVAL =
      Comparator.comparingInt(PendingSweep::getPartition)
          .thenComparingLong(PendingSweep::getOffset);

  private final ArrayDeque<PendingSweep> queue = new ArrayDeque<>();
  private Stream<String> walking;
  private Iterator<String> next;

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** How many changes have not reached every user yet. */
  int size() {
    return queue.size();
  }

  /** The changes still to apply, oldest first: what a checkpoint keeps. */
  List<PendingSweep> pending() {
    return new ArrayList<>(queue);
  }

  void add(PendingSweep change) {
    queue.add(change);
  }

  /**
   * Takes the changes a restore found. Every instance saved its own list, and a union state gives
   * each instance all of them: duplicates go, and the arrival order is restored.
   */
  void restore(Iterable<PendingSweep> saved) {
    LinkedHashSet<PendingSweep> distinct = new LinkedHashSet<>();
    saved.forEach(distinct::add);
    List<PendingSweep> sorted = new ArrayList<>(distinct);
    sorted.sort(ARRIVAL);
    queue.addAll(sorted);
  }

  /**
   * Applies the oldest change to up to {@code max} more users, moving on to later changes as each
   * one has reached everyone. Returns whether every change has reached every user.
   */
  boolean step(int max, Users users, BiConsumer<PendingSweep, String> apply) {
    int done = 0;
    while (!queue.isEmpty()) {
      if (next == null) {
        walking = users.get();
        next = walking.iterator();
      }
      while (done < max && next.hasNext()) {
        apply.accept(queue.peek(), next.next());
        done++;
      }
      if (next.hasNext()) {
        return false;
      }
      close();
      queue.poll();
    }
    return true;
  }

  /** Releases the users' stream (a RocksDB iterator) of the sweep in progress, if any. */
  void close() {
    if (walking != null) {
      walking.close();
    }
    walking = null;
    next = null;
  }
}
