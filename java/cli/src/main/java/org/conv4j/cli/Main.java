package org.conv4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The conv4j command line: {@code java -jar conv4j.jar <command> [flags]}. Exit code 0 on success, 2 for a
 * problem with the input (one line on stderr naming it), 1 for an internal error. {@link #run} is the whole
 * program with its streams given, so tests run it in-process.
 */
public final class Main {
  private static final List<Command> COMMANDS = List.of(new InfoCommand(), new RunCommand(), new BenchCommand());
  private static final Set<String> HELP = Set.of("--help", "-h");
  /** Held so the level set in main stays (java.util.logging keeps loggers only weakly). */
  private static final Logger LIBRARY_LOG = Logger.getLogger("org.conv4j");

  private Main() {}

  public static void main(String[] args) {
    // the CLI says itself which backend it uses; the library's one-line log record would repeat it
    LIBRARY_LOG.setLevel(Level.WARNING);
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /** Runs one command line and returns its exit code; nothing is thrown. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    boolean verbose = args.removeIf("--verbose"::equals);
    if (args.isEmpty()) {
      err.println("conv4j: no command given; commands: " + commandNames() + " (see conv4j --help)");
      return Failure.USER_ERROR;
    }
    String first = args.get(0);
    if (HELP.contains(first) || first.equals("help")) {
      Command c = args.size() > 1 ? find(args.get(1)) : null;
      if (args.size() > 1 && c == null) return unknown(args.get(1), err);
      out.print(c == null ? overview() : c.help());
      return 0;
    }
    if (first.equals("--version")) {
      out.println("conv4j " + SystemInfo.version());
      return 0;
    }
    Command c = find(first);
    if (c == null) return unknown(first, err);
    List<String> rest = args.subList(1, args.size());
    if (rest.stream().anyMatch(HELP::contains)) {
      out.print(c.help());
      return 0;
    }
    try {
      c.run(Args.parse(c.name(), rest.toArray(new String[0]), c.valuedFlags(), c.switches()), out, err);
      out.flush();
      return 0;
    } catch (Throwable t) {
      out.flush();
      err.println("conv4j " + c.name() + ": " + Failure.oneLine(t));
      if (verbose) t.printStackTrace(err);
      return Failure.exitCode(t);
    }
  }

  private static Command find(String name) {
    return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  private static int unknown(String name, PrintStream err) {
    err.println("conv4j: unknown command \"" + name + "\"; commands: " + commandNames() + " (see conv4j --help)");
    return Failure.USER_ERROR;
  }

  private static String commandNames() {
    return String.join(", ", COMMANDS.stream().map(Command::name).toArray(String[]::new));
  }

  private static String overview() {
    StringBuilder s = new StringBuilder("usage: java -jar conv4j.jar <command> [flags]\n\ncommands:\n");
    for (Command c : COMMANDS) s.append(String.format("  %-6s %s%n", c.name(), c.summary()));
    s.append("\nEvery command takes --help (its flags) and --verbose (stack traces on errors).\n")
        .append("Exit codes: 0 success, 2 bad input (one line on stderr says what), 1 internal error.\n");
    return s.toString();
  }
}
