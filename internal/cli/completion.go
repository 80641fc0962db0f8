package cli

// embudo completion bash|zsh|fish: shell completion scripts for the
// commands, their verbs and their flags, made from the same table that
// dispatches them.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

func completionResource() resource {
	shell := func(name string, write func(io.Writer, []compWord)) verb {
		return verb{name: name, summary: "print the " + name + " completion script",
			setup: func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
				return func(ctx context.Context, args []string) error {
					if err := wantArgs(args, 0, ""); err != nil {
						return err
					}
					write(x.stdout, completionData())
					return nil
				}
			}}
	}
	return resource{name: "completion", summary: "shell completion: source <(embudo completion bash), embudo completion fish | source, " +
		"or embudo completion zsh > \"${fpath[1]}/_embudo\"",
		verbs: []verb{shell("bash", bashScript), shell("zsh", zshScript), shell("fish", fishScript)}}
}

// compVerb is what completion knows of a verb.
type compVerb struct {
	name, summary string
	flags         []compFlag
	files         bool
}

// compFlag is a flag of a verb.
type compFlag struct {
	name, usage string
	value       bool // takes a value
}

// compWord is what completion knows of a command word.
type compWord struct {
	name    string
	aliases []string
	summary string
	def     string
	verbs   []compVerb // one, named "", for a word that is its own command
}

// completionData describes every command word, its verbs and flags.
func completionData() []compWord {
	var out []compWord
	for _, r := range resources() {
		c := compWord{name: r.name, aliases: r.aliases, summary: r.summary, def: r.def}
		for _, v := range r.verbs {
			fs := flag.NewFlagSet("", flag.ContinueOnError)
			x := &session{stdout: io.Discard, stderr: io.Discard}
			global := map[string]bool{}
			x.globalFlags(fs)
			fs.VisitAll(func(f *flag.Flag) { global[f.Name] = true })
			v.setup(x, fs)
			cv := compVerb{name: v.name, summary: v.summary, files: strings.Contains(v.args, "PATH")}
			fs.VisitAll(func(f *flag.Flag) {
				if global[f.Name] {
					return
				}
				b, ok := f.Value.(interface{ IsBoolFlag() bool })
				_, usage := flag.UnquoteUsage(f)
				cv.flags = append(cv.flags, compFlag{name: f.Name, usage: usage, value: !ok || !b.IsBoolFlag()})
			})
			c.verbs = append(c.verbs, cv)
		}
		out = append(out, c)
	}
	// The commands cmd/embudo runs itself (see Usage).
	out = append(out,
		compWord{name: "serve", summary: "run the whole CRM locally", verbs: []compVerb{{}}},
		compWord{name: "backup", summary: "copy the local database while it runs", verbs: []compVerb{{files: true}}},
		compWord{name: "signin-link", summary: "print a sign-in link to the local web app", verbs: []compVerb{{}}},
		compWord{name: "copy", summary: "move a whole CRM between stores", verbs: []compVerb{{}}},
		compWord{name: "admin", summary: "administer a deployment", verbs: []compVerb{{name: "bootstrap", summary: "create the first admin"}}},
		compWord{name: "import", summary: "import from a CSV file", verbs: []compVerb{{name: "contacts", summary: "import contacts", files: true}}},
		compWord{name: "export", summary: "export to CSV", verbs: []compVerb{{name: "contacts", summary: "export contacts"},
			{name: "opportunities", summary: "export opportunities"}}},
		compWord{name: "version", summary: "print the version", verbs: []compVerb{{}}},
		compWord{name: "help", summary: "show the usage", verbs: []compVerb{{}}},
	)
	return out
}

func (c compWord) single() bool { return len(c.verbs) == 1 && c.verbs[0].name == "" }

// verbFlags are the flags of a verb, or of the default (or only) verb for "".
func (c compWord) verbFlags(verb string) []compFlag {
	if verb == "" {
		verb = c.def
	}
	for _, v := range c.verbs {
		if v.name == verb {
			return v.flags
		}
	}
	return nil
}

func (c compWord) words() []string { return append([]string{c.name}, c.aliases...) }

func flagWords(fl []compFlag) string {
	var out []string
	for _, f := range fl {
		out = append(out, "--"+f.name)
	}
	return strings.Join(out, " ")
}

// shortSummary is the first line of a summary, at most 70 characters.
func shortSummary(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return cut(s, 70)
}

func bashScript(w io.Writer, data []compWord) {
	var names []string
	for _, c := range data {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, `# bash completion for embudo. Load it with: source <(embudo completion bash)
_embudo() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local res="" verb="" w i skip=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((skip)); then skip=0; continue; fi
        case $w in
            --url|-url|--token|-token) skip=1; continue ;;
            -*) continue ;;
        esac
        if [[ -z $res ]]; then res=$w; elif [[ -z $verb ]]; then verb=$w; fi
    done
    case $prev in
        --url|-url|--token|-token) return ;;
    esac
    if [[ -z $res ]]; then
        COMPREPLY=($(compgen -W "%s --json --url --token" -- "$cur"))
        return
    fi
    local verbs="" flags=""
    case $res in
`, strings.Join(names, " "))
	for _, c := range data {
		fmt.Fprintf(w, "        %s)\n", strings.Join(c.words(), "|"))
		if c.single() {
			fmt.Fprintf(w, "            flags=%q ;;\n", flagWords(c.verbs[0].flags))
			continue
		}
		var vs []string
		for _, v := range c.verbs {
			vs = append(vs, v.name)
		}
		fmt.Fprintf(w, "            verbs=%q\n            case $verb in\n", strings.Join(vs, " "))
		if fl := c.verbFlags(""); len(fl) > 0 {
			fmt.Fprintf(w, "                \"\") flags=%q ;;\n", flagWords(fl))
		}
		for _, v := range c.verbs {
			if len(v.flags) > 0 {
				fmt.Fprintf(w, "                %s) flags=%q ;;\n", v.name, flagWords(v.flags))
			}
		}
		fmt.Fprintf(w, "            esac ;;\n")
	}
	fmt.Fprint(w, `    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags --json --url --token" -- "$cur"))
    elif [[ -z $verb && -n $verbs ]]; then
        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
    fi
}
complete -o default -F _embudo embudo
`)
}

// zshQuote quotes an entry of a zsh _describe list.
func zshQuote(name, desc string) string {
	e := strings.ReplaceAll(name, ":", `\:`) + ":" + shortSummary(desc)
	return "'" + strings.ReplaceAll(e, "'", `'\''`) + "'"
}

func zshScript(w io.Writer, data []compWord) {
	fmt.Fprint(w, `#compdef embudo
# zsh completion for embudo. Put it in your fpath as _embudo
# (embudo completion zsh > "${fpath[1]}/_embudo"), or source it.
_embudo() {
  local res="" verb="" w i skip=0
  for (( i = 2; i < CURRENT; i++ )); do
    w=${words[i]}
    if (( skip )); then skip=0; continue; fi
    case $w in
      --url|-url|--token|-token) skip=1; continue ;;
      -*) continue ;;
    esac
    if [[ -z $res ]]; then res=$w; elif [[ -z $verb ]]; then verb=$w; fi
  done
  case ${words[CURRENT-1]} in
    --url|-url|--token|-token) return ;;
  esac
  local -a cmds verbs flags
  if [[ -z $res ]]; then
    if [[ $PREFIX == -* ]]; then compadd -- --json --url --token; return; fi
    cmds=(
`)
	for _, c := range data {
		fmt.Fprintf(w, "      %s\n", zshQuote(c.name, c.summary))
	}
	fmt.Fprint(w, `    )
    _describe -t commands 'embudo command' cmds
    return
  fi
  case $res in
`)
	for _, c := range data {
		fmt.Fprintf(w, "    %s)\n", strings.Join(c.words(), "|"))
		if c.single() {
			fmt.Fprintf(w, "      flags=(%s) ;;\n", flagWords(c.verbs[0].flags))
			continue
		}
		fmt.Fprint(w, "      verbs=(")
		for _, v := range c.verbs {
			fmt.Fprintf(w, "\n        %s", zshQuote(v.name, v.summary))
		}
		fmt.Fprint(w, "\n      )\n      case $verb in\n")
		if fl := c.verbFlags(""); len(fl) > 0 {
			fmt.Fprintf(w, "        '') flags=(%s) ;;\n", flagWords(fl))
		}
		for _, v := range c.verbs {
			if len(v.flags) > 0 {
				fmt.Fprintf(w, "        %s) flags=(%s) ;;\n", v.name, flagWords(v.flags))
			}
		}
		fmt.Fprint(w, "      esac ;;\n")
	}
	fmt.Fprint(w, `  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $flags --json --url --token
  elif [[ -z $verb && ${#verbs} -gt 0 ]]; then
    _describe -t verbs 'embudo '$res' command' verbs
  else
    _files
  fi
}
if [[ $funcstack[1] == _embudo ]]; then
  _embudo "$@"
else
  compdef _embudo embudo
fi
`)
}

// fishQuote quotes a fish string.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func fishScript(w io.Writer, data []compWord) {
	fmt.Fprint(w, `# fish completion for embudo. Load it with: embudo completion fish | source
function __embudo_words --description 'the words after embudo that are not flags'
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case --url -url --token -token
                set skip 1
            case '-*'
            case '*'
                echo $w
        end
    end
end
function __embudo_at --description '__embudo_at N [WORD...]: N words so far, the first one of WORDs'
    set -l w (__embudo_words)
    test (count $w) -eq $argv[1]; or return 1
    test (count $argv) -eq 1; and return 0
    contains -- $w[1] $argv[2..-1]
end
function __embudo_verb --description '__embudo_verb VERB WORD...: the command is one of WORDs and its verb VERB'
    set -l w (__embudo_words)
    test (count $w) -ge 2; or return 1
    test $w[2] = $argv[1]; and contains -- $w[1] $argv[2..-1]
end
function __embudo_single --description '__embudo_single WORD...: the command is one of WORDs'
    set -l w (__embudo_words)
    test (count $w) -ge 1; and contains -- $w[1] $argv
end
complete -c embudo -f
complete -c embudo -l json -d 'print the API JSON instead of tables'
complete -c embudo -l url -r -d 'API URL'
complete -c embudo -l token -r -d 'API token'
`)
	flagLine := func(cond string, f compFlag) {
		opt := "-l " + f.name
		if len(f.name) == 1 {
			opt = "-s " + f.name
		}
		if f.value {
			opt += " -r"
		}
		fmt.Fprintf(w, "complete -c embudo -n %s %s -d %s\n", fishQuote(cond), opt, fishQuote(shortSummary(f.usage)))
	}
	for _, c := range data {
		fmt.Fprintf(w, "complete -c embudo -n '__embudo_at 0' -a %s -d %s\n", c.name, fishQuote(shortSummary(c.summary)))
	}
	for _, c := range data {
		words := strings.Join(c.words(), " ")
		if c.single() {
			for _, f := range c.verbs[0].flags {
				flagLine("__embudo_single "+words, f)
			}
			continue
		}
		for _, v := range c.verbs {
			fmt.Fprintf(w, "complete -c embudo -n '__embudo_at 1 %s' -a %s -d %s\n", words, v.name, fishQuote(shortSummary(v.summary)))
			for _, f := range v.flags {
				flagLine("__embudo_verb "+v.name+" "+words, f)
			}
			if v.files {
				fmt.Fprintf(w, "complete -c embudo -n %s -F\n", fishQuote("__embudo_verb "+v.name+" "+words))
			}
		}
	}
}
