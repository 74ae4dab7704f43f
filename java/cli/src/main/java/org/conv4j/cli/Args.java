package org.conv4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A command's parsed flags: {@code --name value}, {@code --name=value} and value-less switches. Every getter
 * validates and throws a {@link UsageException} naming the flag, the value and the rule; positional arguments,
 * unknown flags, repeated flags and missing values are rejected at parse time.
 */
final class Args {
  private final String command;
  private final Map<String, String> values;

  private Args(String command, Map<String, String> values) {
    this.command = command;
    this.values = values;
  }

  /**
   * Parses argv against the flags a command accepts: those in valued take a value, those in switches take none.
   * Names are given without the leading dashes.
   */
  static Args parse(String command, String[] argv, Set<String> valued, Set<String> switches) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--") || a.length() == 2) {
        throw new UsageException("unexpected argument \"" + a + "\" for " + command + " (flags start with --; see "
            + "conv4j " + command + " --help)");
      }
      int eq = a.indexOf('=');
      String name = a.substring(2, eq < 0 ? a.length() : eq);
      String value;
      if (switches.contains(name)) {
        if (eq >= 0) throw new UsageException("--" + name + " takes no value, got \"" + a + "\"");
        value = "";
      } else if (valued.contains(name)) {
        if (eq >= 0) {
          value = a.substring(eq + 1);
        } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
          value = argv[++i];
        } else {
          throw new UsageException("--" + name + " needs a value");
        }
      } else {
        List<String> known = new ArrayList<>(valued);
        known.addAll(switches);
        known.sort(null);
        throw new UsageException("unknown flag --" + name + " for " + command + "; it accepts --"
            + String.join(", --", known));
      }
      if (values.put(name, value) != null) throw new UsageException("--" + name + " is given twice");
    }
    return new Args(command, values);
  }

  String command() {
    return command;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The raw value, or null when the flag is absent. */
  String get(String name) {
    return values.get(name);
  }

  String string(String name, String defaultValue) {
    String v = values.get(name);
    return v == null ? defaultValue : v;
  }

  /** An integer >= min, or defaultValue when absent. */
  int integer(String name, int defaultValue, int min) {
    String v = values.get(name);
    if (v == null) return defaultValue;
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer >= " + min + ", got \"" + v + "\"");
    }
    if (n < min) throw new UsageException("--" + name + " must be >= " + min + ", got " + n);
    return n;
  }

  /** A finite number >= min, or defaultValue when absent. */
  double number(String name, double defaultValue, double min) {
    String v = values.get(name);
    if (v == null) return defaultValue;
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (!(d >= min) || Double.isInfinite(d)) {
      throw new UsageException("--" + name + " must be a number >= " + min + ", got \"" + v + "\"");
    }
    return d;
  }

  /** One of the allowed words (lower-cased), or defaultValue when absent. */
  String choice(String name, String defaultValue, String... allowed) {
    String v = values.get(name);
    if (v == null) return defaultValue;
    String lower = v.trim().toLowerCase(Locale.ROOT);
    if (!Arrays.asList(allowed).contains(lower)) {
      throw new UsageException("--" + name + " must be " + orList(allowed) + ", got \"" + v + "\"");
    }
    return lower;
  }

  /** Comma-separated non-empty items, or an empty list when absent. */
  List<String> list(String name) {
    String v = values.get(name);
    if (v == null) return List.of();
    List<String> items = new ArrayList<>();
    for (String s : v.split(",", -1)) {
      if (s.isBlank()) throw new UsageException("--" + name + " has an empty item in \"" + v + "\"");
      items.add(s.trim());
    }
    return items;
  }

  /** A flag that must be present. */
  String required(String name) {
    String v = values.get(name);
    if (v == null) throw new UsageException(command + " needs --" + name + " (see conv4j " + command + " --help)");
    return v;
  }

  /** The path of an existing regular file, or null when the flag is absent. */
  Path inputFile(String name) {
    String v = values.get(name);
    if (v == null) return null;
    Path p = Path.of(v);
    if (!Files.exists(p)) throw new UsageException("--" + name + " " + v + ": no such file");
    if (!Files.isRegularFile(p)) throw new UsageException("--" + name + " " + v + ": not a regular file");
    if (!Files.isReadable(p)) throw new UsageException("--" + name + " " + v + ": not readable");
    return p;
  }

  /** The path of a file to write, whose directory must exist, or null when the flag is absent. */
  Path outputFile(String name) {
    String v = values.get(name);
    if (v == null) return null;
    Path p = Path.of(v).toAbsolutePath();
    if (Files.isDirectory(p)) throw new UsageException("--" + name + " " + v + ": is a directory");
    Path dir = p.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new UsageException("--" + name + " " + v + ": directory " + dir + " does not exist");
    }
    return p;
  }

  /** Rejects giving both or (when one is required) neither of two alternative flags. */
  void exactlyOne(String a, String b) {
    if (has(a) && has(b)) throw new UsageException("give --" + a + " or --" + b + ", not both");
    if (!has(a) && !has(b)) {
      throw new UsageException(command + " needs --" + a + " or --" + b + " (see conv4j " + command + " --help)");
    }
  }

  static String orList(String... words) {
    if (words.length == 1) return words[0];
    return String.join(", ", Arrays.copyOf(words, words.length - 1)) + " or " + words[words.length - 1];
  }
}
