package io.beckon.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH settings the benchmarks share (a subclass overrides what it must): average time per
 * operation; five warm-up iterations of two seconds, because on a busy 2-core machine the JIT needs
 * most of ten seconds before the larger paths (an instant's step, a visit's transitions) run
 * compiled; five measured iterations of a second; one fork with a fixed heap. The whole suite takes
 * about three minutes. Options on the command line win.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public abstract class EngineBenchmark {}
