#!/usr/bin/env bash
# A local OpenSearch cluster for searchdocs' tests and benchmarks, bound to 127.0.0.1 only.
#
#   tools/opensearch.sh start [--nodes N] [--dir DIR] [--port PORT]   # prints the URL as its last line
#   tools/opensearch.sh stop  [--dir DIR]
#
# The distribution is OpenSearch's integ-test-zip from Maven Central, with the analysis-common and
# lang-painless modules added from their jars there (fetched once with mvn into the local Maven
# repository, unpacked once into $SEARCHDOCS_CACHE, default ~/.cache/searchdocs, or
# /var/cache/searchdocs as root). Node K
# listens on HTTP PORT+K-1 (default 9200) and transport 9300+K-1 (PORT+100+K-1), keeps its config, data
# and logs in DIR/node-K and its pid in DIR/node-K.pid; node 1 is the cluster manager (and holds data),
# the others are data nodes. OpenSearch refuses to run as root: as root, the nodes run as the system
# user searchdocs-os, created on first use. Environment: OPENSEARCH_VERSION (default 2.19.6),
# OPENSEARCH_HEAP (default 512m), SEARCHDOCS_OPENSEARCH_WAIT (seconds, default 240).
set -euo pipefail

VERSION="${OPENSEARCH_VERSION:-2.19.6}"
HEAP="${OPENSEARCH_HEAP:-512m}"
WAIT="${SEARCHDOCS_OPENSEARCH_WAIT:-240}"
if [ "$(id -u)" -eq 0 ]; then  # root's home is closed to the user the nodes run as
  CACHE="${SEARCHDOCS_CACHE:-/var/cache/searchdocs}"
else
  CACHE="${SEARCHDOCS_CACHE:-$HOME/.cache/searchdocs}"
fi
RUN_AS=searchdocs-os
NODES=1
DIR="${TMPDIR:-/tmp}/searchdocs-opensearch"
PORT=9200

die() { echo "opensearch.sh: $*" >&2; exit 2; }

usage() {
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

command="${1:-}"
[ -n "$command" ] || usage
shift
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="${2:?--nodes needs a number}"; shift 2 ;;
    --dir) DIR="${2:?--dir needs a folder}"; shift 2 ;;
    --port) PORT="${2:?--port needs a number}"; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive number, not $NODES"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "--port must be a number, not $PORT"
DIR="$(mkdir -p "$DIR" && cd "$DIR" && pwd)"

# One artifact from Maven Central into a folder (mvn keeps it in the local repository too).
fetch_jar() {
  local log
  log="$(mktemp)"
  mvn -q -B -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="$1" -DoutputDirectory="$2" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; die "could not fetch $1 from Maven Central"; }
  rm -f "$log"
}

# A module of the full distribution that the integ-test zip leaves out, from its jars on Maven
# Central: the folder modules/NAME with the jars and a plugin descriptor (and a policy).
add_module() {
  local home="$1" name="$2" classname="$3" extends="$4"; shift 4
  local dir="$home/modules/$name" artifact
  mkdir -p "$dir"
  for artifact in "$@"; do fetch_jar "$artifact" "$dir"; done
  cat > "$dir/plugin-descriptor.properties" <<PROPS
description=$name module of OpenSearch $VERSION, assembled from Maven Central by searchdocs
version=$VERSION
name=$name
classname=$classname
java.version=11
opensearch.version=$VERSION
extended.plugins=$extends
has.native.controller=false
PROPS
}

# The unpacked distribution: bin/opensearch of OpenSearch $VERSION, with the analysis-common and
# lang-painless modules (tokenizers, char and token filters; painless scripts) that a full
# distribution has and searchdocs' index template and updates use.
distribution() {
  local home="$CACHE/opensearch-$VERSION-modules"
  if [ ! -x "$home/bin/opensearch" ]; then
    command -v java >/dev/null || die "Java is needed to run OpenSearch (apt-get install openjdk-17-jre-headless)"
    command -v mvn >/dev/null || die "Maven is needed to fetch OpenSearch from Maven Central (apt-get install maven)"
    local fetched="$CACHE/download"
    mkdir -p "$fetched" && chmod a+rx "$CACHE"
    [ -f "$fetched/opensearch-$VERSION.zip" ] \
      || fetch_jar "org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip" "$fetched"
    local unpack
    unpack="$(mktemp -d "$CACHE/unpack.XXXXXX")"
    (cd "$unpack" && python3 -m zipfile -e "$fetched/opensearch-$VERSION.zip" .) \
      || die "could not unpack $fetched/opensearch-$VERSION.zip"
    local base="$unpack/opensearch-$VERSION"
    add_module "$base" lang-painless org.opensearch.painless.PainlessPlugin "" \
      "org.opensearch.plugin:lang-painless:$VERSION" "org.opensearch.plugin:opensearch-scripting-painless-spi:$VERSION" \
      org.antlr:antlr4-runtime:4.13.1 org.ow2.asm:asm:9.7 org.ow2.asm:asm-util:9.7 org.ow2.asm:asm-tree:9.7 \
      org.ow2.asm:asm-commons:9.7 org.ow2.asm:asm-analysis:9.7
    cat > "$base/modules/lang-painless/plugin-security.policy" <<'POLICY'
grant {
  // needed to generate runtime classes
  permission java.lang.RuntimePermission "createClassLoader";
  // needed to find the classloader to load allowlisted classes from
  permission java.lang.RuntimePermission "getClassLoader";
};
POLICY
    add_module "$base" analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin lang-painless \
      "org.opensearch.plugin:analysis-common:$VERSION"
    chmod -R a+rX "$unpack" && chmod a+x "$base"/bin/*
    rm -rf "$home" && mv "$base" "$home" && rm -rf "$unpack"
  fi
  echo "$home"
}

# Run a command as the user the nodes run as (this user unless it is root).
as_node_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id "$RUN_AS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS" \
      || die "cannot create the user $RUN_AS that OpenSearch runs as (it refuses to run as root)"
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

http() { curl -fsS --max-time 5 "$@"; }

start() {
  local home seeds="" k java_home
  home="$(distribution)"
  command -v java >/dev/null || die "Java is needed to run OpenSearch (apt-get install openjdk-17-jre-headless)"
  java_home="${OPENSEARCH_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"  # no JDK in the zip
  for k in $(seq 1 "$NODES"); do
    seeds="$seeds${seeds:+,}\"127.0.0.1:$((PORT + 100 + k - 1))\""
    ! http "http://127.0.0.1:$((PORT + k - 1))" >/dev/null 2>&1 \
      || die "port $((PORT + k - 1)) already answers: stop that cluster first (tools/opensearch.sh stop --dir …)"
  done
  [ "$(id -u)" -ne 0 ] || { id "$RUN_AS" >/dev/null 2>&1 || as_node_user true; chown "$RUN_AS" "$DIR"; }
  as_node_user test -w "$DIR" -a -x "$DIR" \
    || die "$DIR is not reachable by the user the nodes run as ($(id -un "$RUN_AS" 2>/dev/null || id -un)): choose a --dir under /tmp"
  for k in $(seq 1 "$NODES"); do
    local node="$DIR/node-$k" roles='[cluster_manager, data, ingest]'
    [ "$k" -eq 1 ] || roles='[data, ingest]'
    rm -rf "$node" && mkdir -p "$node/data" "$node/logs" && cp -r "$home/config" "$node/config"
    cat > "$node/config/opensearch.yml" <<YAML
cluster.name: searchdocs-test
node.name: node-$k
node.roles: $roles
network.host: 127.0.0.1
http.port: $((PORT + k - 1))
transport.port: $((PORT + 100 + k - 1))
discovery.seed_hosts: [$seeds]
cluster.initial_cluster_manager_nodes: ["node-1"]
path.data: $node/data
path.logs: $node/logs
action.auto_create_index: false
YAML
    # the JVM options name the GC log and heap dumps relative to the working directory: this node's
    sed -i -e "s|file=logs/|file=$node/logs/|" -e "s|HeapDumpPath=data|HeapDumpPath=$node/data|" \
      -e "s|ErrorFile=logs/|ErrorFile=$node/logs/|" "$node/config/jvm.options"
    [ "$(id -u)" -ne 0 ] || chown -R "$RUN_AS" "$node"
    (cd "$node" && as_node_user env OPENSEARCH_PATH_CONF="$node/config" OPENSEARCH_JAVA_HOME="$java_home" \
      OPENSEARCH_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP" \
      "$home/bin/opensearch" -d -p "$DIR/node-$k.pid" >"$node/logs/start.out" 2>&1) \
      || die "node-$k did not start: see $node/logs/start.out and $node/logs/searchdocs-test.log"
  done
  local url="http://127.0.0.1:$PORT" waited=0
  until http "$url/_cluster/health?wait_for_nodes=$NODES&wait_for_status=green&timeout=5s" >/dev/null 2>&1; do
    for k in $(seq 1 "$NODES"); do
      kill -0 "$(cat "$DIR/node-$k.pid" 2>/dev/null || echo 0)" 2>/dev/null \
        || die "node-$k stopped while starting: see $DIR/node-$k/logs/searchdocs-test.log"
    done
    waited=$((waited + 5))
    [ "$waited" -lt "$WAIT" ] || die "the cluster at $url did not become green with $NODES nodes in ${WAIT}s: see $DIR/node-*/logs"
    sleep 5
  done
  echo "$url"
}

stop() {
  local pidfile pid stopped=0
  for pidfile in "$DIR"/node-*.pid; do
    [ -e "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
      stopped=$((stopped + 1))
    fi
    rm -f "$pidfile"
  done
  echo "stopped $stopped node(s) of $DIR" >&2
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
