// Wrappers (sudo, env, timeout, nice, xargs, flock, ...) run the command that follows their options, the
// arguments of those options and their own positional word: a value there is the command bash or the wrapper
// runs (code), a value after the command's name is one of its arguments (data). Each expectation was checked
// by hand against bash 5.2 and GNU coreutils / util-linux (e.g. `v=id; nice -n 5 $v` runs id).
import { describe, expect, it } from "vitest";
import { contexts } from "../../helpers/shell-contexts.js";

const NAME = "code: the command name";
/** The word of its own that a wrapper takes before the command. */
const OWN_WORD: Record<string, string> = {
  timeout: " 5",
  chrt: " 10",
  taskset: " 0x1",
  flock: " /tmp/lock",
  "docker exec": " web",
  "docker run": " nginx",
};

describe("a wrapper's command", () => {
  it.each([
    // The value is the command the wrapper runs.
    ["sudo ${v}", [NAME]],
    ["sudo -E ${v}", [NAME]],
    ["sudo -- ${v}", [NAME]],
    ["sudo -u root ${v}", [NAME]],
    ["env -u X ${v}", [NAME]],
    ["env -i ${v}", [NAME]],
    ["env FOO=1 ${v}", [NAME]],
    ["nice -n 5 ${v}", [NAME]],
    ["nohup ${v} x", [NAME]],
    ["stdbuf -o L ${v}", [NAME]],
    ["exec -a foo ${v}", [NAME]],
    ["xargs -n 1 ${v}", [NAME]],
    ["xargs -I {} ${v} {}", [NAME]],
    ["ionice -c 2 ${v}", [NAME]],
    ["command -v ${v}", [NAME]],
    // A value among the options could be an option itself, or the command.
    ["sudo -u${v} ls", [NAME]],
    ["sudo FOO=${v} ls", [NAME]],
    // The value is an argument of the command the wrapper runs: data.
    ["sudo ls ${v}", ["bare"]],
    ["sudo -E ls ${v}", ["bare"]],
    ["sudo -u root ls ${v}", ["bare"]],
    ["sudo -- ls ${v}", ["bare"]],
    ["env -u X ls ${v}", ["bare"]],
    ["env FOO=${v} ls", ["bare"]],
    ["env -i FOO=${v} ls ${v}", ["bare", "bare"]],
    ["nice -n 5 ls ${v}", ["bare"]],
    ["nohup ls ${v}", ["bare"]],
    ["nohup 5 ${v}", ["bare"]],
    ["sudo ls -s ${v}", ["bare"]],
    ["xargs -0 echo ${v}", ["bare"]],
    ["sudo nohup env -i ls ${v}", ["bare"]],
    ["sudo nohup env -i ${v}", [NAME]],
    // A wrapper without its command, beside a value elsewhere.
    ["sudo -E; echo ${v}", ["bare"]],
    ["sudo -u; echo ${v}", ["bare"]],
    ["sudo -X; echo ${v}", ["bare"]],
    ["timeout 5; echo ${v}", ["bare"]],
    ["env -i; echo ${v}", ["bare"]],
    ["sudo --; echo ${v}", ["bare"]],
    ["timeout; echo ${v}", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  it.each([
    // timeout, chrt, taskset and flock take one word of their own before the command.
    ["timeout 5 ${v}", [NAME]],
    ["timeout 5s ${v}", [NAME]],
    ["timeout inf ${v}", [NAME]],
    ["timeout 1e1 ${v}", [NAME]],
    ["timeout -s KILL 5 ${v}", [NAME]],
    ["timeout -k 1 5 ${v}", [NAME]],
    ["timeout ${v} ls", [NAME]],
    ["timeout 5 ls ${v}", ["bare"]],
    ["timeout -s KILL 5 ls ${v}", ["bare"]],
    ["chrt -f 10 ${v}", [NAME]],
    ["chrt -f 10 ls ${v}", ["bare"]],
    ["taskset 0x1 ${v}", [NAME]],
    ["taskset -c 1 ls ${v}", ["bare"]],
    ["taskset -p 1 ls ${v}", [NAME]],
    ["flock /tmp/l ${v}", [NAME]],
    ["flock /tmp/l ls ${v}", ["bare"]],
    ["flock -w 5 /tmp/l ls ${v}", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  it.each([
    // An option not known to take an argument may take one: the word after it may be the command.
    ["sudo -X ls ${v}", [NAME]],
    ["timeout --signal-all 5 ls ${v}", [NAME]],
    ["nohup -X ls ${v}", [NAME]],
    ["env -Z ls ${v}", [NAME]],
    // ... or not: then the value is the command itself.
    ["sudo -X ${v} ls", [NAME]],
    ["sudo -X -Y ls ${v}", [NAME]],
    ["sudo -Eu root ${v}", [NAME]],
    ["sudo -Eu root ls ${v}", ["bare"]],
    // --name=value holds its argument: the next word is the command.
    ["sudo --preserve-env=PATH ls ${v}", ["bare"]],
    ["timeout --signal=KILL 5 ls ${v}", ["bare"]],
    ["timeout --signal=KILL 5 ${v}", [NAME]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  it.each([
    ["env", ["-u", "--unset", "-C", "--chdir", "-a", "--argv0", "-P"]],
    [
      "sudo",
      [
        ...["-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-h", "--host", "-p"],
        ...["--prompt", "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U", "--other-user"],
        ...["-R", "--chroot"],
      ],
    ],
    ["doas", ["-u", "-C"]],
    ["nice", ["-n", "--adjustment"]],
    ["ionice", ["-c", "--class", "-n", "--classdata", "-p", "--pid", "-P", "--pgid", "-u", "--uid"]],
    ["timeout", ["-s", "--signal", "-k", "--kill-after"]],
    ["stdbuf", ["-i", "--input", "-o", "--output", "-e", "--error"]],
    [
      "xargs",
      [
        ...["-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "--max-lines", "-n", "--max-args"],
        ...["-P", "--max-procs", "-s", "--max-chars", "--process-slot-var"],
      ],
    ],
    ["exec", ["-a"]],
    ["time", ["-f", "--format", "-o", "--output"]],
    ["chrt", ["-T", "--sched-runtime", "-P", "--sched-period", "-D", "--sched-deadline"]],
    ["flock", ["-w", "--timeout", "--wait", "-E", "--conflict-exit-code"]],
    ["docker exec", ["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"]],
    [
      "docker run",
      [
        ...[
          "-e",
          "--env",
          "--env-file",
          "-u",
          "--user",
          "-w",
          "--workdir",
          "-v",
          "--volume",
          "-p",
          "--publish",
        ],
        ...["--name", "--network", "-l", "--label", "--mount", "-h", "--hostname", "--platform", "--pull"],
        ...["--restart", "-m", "--memory", "--cpus", "--add-host", "--cap-add", "--cap-drop", "--device"],
      ],
    ],
  ])(
    "%s: each of these options takes the next word; a value there is refused as code",
    (wrapper, options) => {
      for (const option of options) {
        // `command` puts the wrapper in a command's argument list, where `time` is not the keyword.
        const command = `command ${wrapper} ${option} \${v}${OWN_WORD[wrapper] ?? ""} ls \${w}`;
        expect(contexts(command), command).toEqual([`code: the argument of ${wrapper} ${option}`, "bare"]);
      }
    },
  );

  it.each([
    ["command", ["-p", "-v", "-V"]],
    ["env", ["-i", "--ignore-environment", "-0", "--null", "-v", "--debug", "-"]],
    [
      "sudo",
      ["-E", "--preserve-env", "-H", "--set-home", "-n", "--non-interactive", "-S", "--stdin", "-b", "-k"],
    ],
    ["doas", ["-n", "-s", "-L"]],
    ["exec", ["-c", "-l"]],
    ["ionice", ["-t", "--ignore"]],
    ["timeout", ["--preserve-status", "--foreground", "-v", "--verbose"]],
    ["setsid", ["-c", "--ctty", "-f", "--fork", "-w", "--wait"]],
    ["xargs", ["-0", "--null", "-r", "--no-run-if-empty", "-t", "--verbose", "-x", "--exit"]],
    ["unbuffer", ["-p"]],
    [
      "chrt",
      [
        ...["-a", "--all-tasks", "-b", "--batch", "-d", "--deadline", "-f", "--fifo", "-i", "--idle"],
        ...["-o", "--other", "-r", "--rr", "-R", "--reset-on-fork", "-v", "--verbose"],
      ],
    ],
    ["taskset", ["-a", "--all-tasks", "-c", "--cpu-list"]],
    ["docker exec", ["-d", "--detach", "-i", "--interactive", "-t", "--tty", "-it", "--privileged"]],
    [
      "docker run",
      [
        ...["-d", "--detach", "-i", "--interactive", "-t", "--tty", "-it", "--rm", "--privileged", "--init"],
        ...["-P", "--publish-all", "--read-only"],
      ],
    ],
    [
      "flock",
      [
        ...["-s", "--shared", "-x", "-e", "--exclusive", "-u", "--unlock", "-n", "--nb", "--nonblock"],
        ...["-o", "--close", "-F", "--no-fork", "--verbose"],
      ],
    ],
  ])("%s: each of these options takes no argument, the word after it is the command", (wrapper, flags) => {
    for (const flag of flags) {
      const command = `${wrapper} ${flag}${OWN_WORD[wrapper] ?? ""} ls \${v}`;
      expect(contexts(command), command).toEqual(["bare"]);
    }
  });

  it.each([
    // flock -c and env -S run their argument: flock through sh -c, env split into a command and its words.
    ["flock /tmp/l -c ${v}", ["code: the command of flock -c"]],
    ["flock /tmp/l --command ${v}", ["code: the command of flock --command"]],
    ["env -S ${v}", ["code: the command of env -S"]],
    ["env --split-string ${v} x", ["code: the command of env --split-string"]],
    ["flock /tmp/l -c 'ls' ${v}", [NAME]],
    // sudo -s and -i hand the command to a shell (-c): every word of it is code.
    ["sudo -s ls ${v}", ["code: a word of sudo -s or -i (a shell runs the command)"]],
    ["sudo -i ls ${v}", ["code: a word of sudo -s or -i (a shell runs the command)"]],
    ["sudo --shell ls ${v}", ["code: a word of sudo -s or -i (a shell runs the command)"]],
    ["sudo --login ls ${v}", ["code: a word of sudo -s or -i (a shell runs the command)"]],
    ["env -s ls ${v}", [NAME]],
    // env assigns a variable bash or a program runs or searches: code; any other is data.
    ["env PATH=${v} ls", ["code: an assignment to PATH for env"]],
    ["env -i LD_PRELOAD=${v} BASH_ENV=x ls", ["code: an assignment to LD_PRELOAD for env"]],
    ["nohup PATH=${v} ls", [NAME]],
    // docker/podman exec and run: the container (or image) comes first, then the command it runs.
    ["docker exec web ${v}", [NAME]],
    ["docker exec -it web ls ${v}", ["bare"]],
    ["docker run --rm nginx ${v}", [NAME]],
    ["podman run --rm nginx ls ${v}", ["bare"]],
    ["podman exec web awk ${v}", ["code: the awk program"]],
    ["docker run --entrypoint ${v} nginx", ["code: the command of docker run --entrypoint"]],
    ["docker run --entrypoint /bin/sh nginx ${v}", [NAME]],
    ["docker ps --filter name=${v}", ["bare"]],
    ["docker logs ${v}", ["bare"]],
    ["echo ${v}; docker exec", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  it("follows forty options of unknown kind without trying every way to read them", () => {
    // Each could take the next word or not: 2^40 readings, but only 41 places where the command can start.
    const command = `sudo ${"-X ".repeat(40)}ls \${v}`;
    expect(contexts(command)).toEqual([NAME]);
  });
});
