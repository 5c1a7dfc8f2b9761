# bash completion for aimci (installed as share/bash-completion/completions/aimci):
# its options; the train, measure and experiment names of the script for --only; the
# declarations and constants of the script for --set; .aimc scripts and folders otherwise.

# The script named on the command line, if any.
_aimci_script()
{
    local w
    for w in "${COMP_WORDS[@]:1}"; do
        case $w in
            *.aimc) [[ -f $w ]] && { printf '%s\n' "$w"; return; } ;;
        esac
    done
}

# Names declared in the script: _aimci_names SCRIPT KIND-REGEX
_aimci_names()
{
    sed -n -E "s/^[[:space:]]*($2)[[:space:]]+([A-Za-z_][A-Za-z0-9_]*).*/\\2/p" "$1" 2>/dev/null
}

_aimci()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} script
    # --opt=VALUE: bash splits it at '='.
    if [[ $cur == = ]]; then
        cur=
    fi
    if [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ ${COMP_WORDS[COMP_CWORD]} == = ]]; then
        prev=${COMP_WORDS[COMP_CWORD-1]}
    fi
    case $prev in
        --only)
            script=$(_aimci_script)
            [[ $script ]] && COMPREPLY=($(compgen -W "$(_aimci_names "$script" 'train|measure|experiment')" -- "$cur"))
            return
            ;;
        --set)
            script=$(_aimci_script)
            if [[ $script ]]; then
                local names
                names=$(_aimci_names "$script" 'device|data|io|model|optimizer|schedule|train|measure|experiment' | sed 's/$/./')
                names+=" "$(sed -n -E 's/^([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=.*/\1=/p' "$script" 2>/dev/null)
                COMPREPLY=($(compgen -W "$names" -- "$cur"))
                compopt -o nospace 2>/dev/null
            fi
            return
            ;;
        --threads)
            COMPREPLY=($(compgen -W "1 2 4 8" -- "$cur"))
            return
            ;;
        --shard)
            COMPREPLY=($(compgen -W "0/2 1/2 0/4 1/4 2/4 3/4" -- "$cur"))
            return
            ;;
        --checkpoint-every)
            COMPREPLY=($(compgen -W "1 2 5 10" -- "$cur"))
            return
            ;;
        --fit)
            COMPREPLY=($(compgen -W "constant_step soft_bounds response linear_step exp_step pow_step piecewise_step linear power exponential" -- "$cur"))
            return
            ;;
        --name)
            return
            ;;
        -i)
            COMPREPLY=($(compgen -f -X '!*.aimc' -- "$cur") $(compgen -d -- "$cur"))
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--check --dump --only --set --threads --checkpoint-every --fresh --shard --fit --name --help --version -i -" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -X '!*.aimc' -- "$cur") $(compgen -d -- "$cur"))
}
complete -o filenames -F _aimci aimci aimci-mpi
