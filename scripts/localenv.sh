# Sourced by the service scripts: set_env KEY VALUE replaces or adds one line of var/local.env,
# the file from which the app and the CLI read local settings (never committed, mode 600).
set_env() {
  local file=${ENVFILE:?}
  mkdir -p "$(dirname "$file")"
  (umask 077; touch "$file")
  chmod 600 "$file"
  { grep -v "^$1=" "$file" || true; } > "$file.tmp"
  echo "$1=$2" >> "$file.tmp"
  mv "$file.tmp" "$file"
}
