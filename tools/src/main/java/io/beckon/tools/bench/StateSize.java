package io.beckon.tools.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.ConfigOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.OptionsUtil;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The size of a job's keyed state as RocksDB keeps it on disk once compacted. Reads a savepoint in
 * the native (RocksDB) format, rebuilds each subtask's RocksDB directory from it (the files under
 * their original names, as a restore would), compacts every column family fully with the options
 * the job's RocksDB wrote (compression included), and sums the resulting {@code .sst} files.
 */
final class StateSize {
  /** Flink's merge operator for list state; needed to compact merge operands. */
  private static final String FLINK_MERGE_OPERATOR = "stringappendtest";

  /**
   * @param compactedBytes {@code .sst} bytes after full compaction, all subtasks
   * @param savepointBytes the same RocksDB files as the savepoint holds them (before compaction)
   * @param entries key-value entries in every column family (timers included)
   * @param logicalBytes the entries' keys and values as Flink serialized them (no compression, no
   *     RocksDB overhead)
   * @param instances RocksDB instances (keyed operator subtasks) measured
   */
  record Measured(
      long compactedBytes, long savepointBytes, long entries, long logicalBytes, int instances) {}

  private StateSize() {}

  static Measured measure(String savepointPointer, Path work) throws Exception {
    Path savepoint =
        savepointPointer.startsWith("file:")
            ? Path.of(URI.create(savepointPointer))
            : Path.of(savepointPointer);
    CheckpointMetadata metadata;
    try (DataInputStream in =
        new DataInputStream(Files.newInputStream(savepoint.resolve("_metadata")))) {
      metadata =
          Checkpoints.loadCheckpointMetadata(
              in, StateSize.class.getClassLoader(), savepoint.toString());
    }
    RocksDB.loadLibrary();
    long compacted = 0;
    long before = 0;
    long[] content = new long[2];
    int instances = 0;
    for (OperatorState operator : metadata.getOperatorStates()) {
      for (OperatorSubtaskState subtask : operator.getStates()) {
        for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
          if (!(handle instanceof IncrementalRemoteKeyedStateHandle files)) {
            throw new IllegalStateException(
                "not a native RocksDB savepoint: " + handle.getClass().getSimpleName());
          }
          Path db = Files.createDirectories(work.resolve("rocksdb-" + instances++));
          try {
            List<HandleAndLocalPath> all = new ArrayList<>(files.getSharedState());
            all.addAll(files.getPrivateState());
            for (HandleAndLocalPath file : all) {
              try (InputStream data = file.getHandle().openInputStream()) {
                before += Files.copy(data, db.resolve(file.getLocalPath()));
              }
            }
            compact(db, content);
            compacted += sstBytes(db);
          } finally {
            delete(db);
          }
        }
      }
    }
    return new Measured(compacted, before, content[0], content[1], instances);
  }

  /** Compacts fully, then adds the entries and their key and value bytes to {@code content}. */
  private static void compact(Path db, long[] content) throws RocksDBException {
    List<ColumnFamilyDescriptor> families = new ArrayList<>();
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions();
        ConfigOptions config = new ConfigOptions().setIgnoreUnknownOptions(true)) {
      try {
        OptionsUtil.loadLatestOptions(config, db.toString(), options, families);
      } catch (RocksDBException noOptionsFile) {
        families.clear();
        for (byte[] name : RocksDB.listColumnFamilies(new org.rocksdb.Options(), db.toString())) {
          families.add(new ColumnFamilyDescriptor(name, new ColumnFamilyOptions()));
        }
      }
      families.forEach(f -> f.getOptions().setMergeOperatorName(FLINK_MERGE_OPERATOR));
      options.setCreateIfMissing(false);
      try (RocksDB rocks = RocksDB.open(options, db.toString(), families, handles);
          CompactRangeOptions full =
              new CompactRangeOptions()
                  .setBottommostLevelCompaction(
                      CompactRangeOptions.BottommostLevelCompaction.kForce)) {
        for (ColumnFamilyHandle family : handles) {
          rocks.compactRange(family, null, null, full);
          try (RocksIterator it = rocks.newIterator(family)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
              content[0]++;
              content[1] += it.key().length + it.value().length;
            }
          }
        }
        handles.forEach(ColumnFamilyHandle::close);
      }
    } finally {
      families.forEach(f -> f.getOptions().close());
    }
  }

  private static long sstBytes(Path db) throws IOException {
    try (Stream<Path> files = Files.list(db)) {
      long sum = 0;
      for (Path f : files.filter(p -> p.toString().endsWith(".sst")).toList()) {
        sum += Files.size(f);
      }
      return sum;
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
