// The usage texts of iproute2 6.1, byte for byte, as `ip OBJECT help` prints
// them (captured from the `ip` of iproute2-6.1.0 on Linux; tabs and trailing
// blanks are ip's own). ip prints an object's usage to stderr and exits 255
// (usage() ends in exit(-1)); `ip link help TYPE` prints the kind's text to
// stdout and exits 0.

/** `ip help`, `ip -help`, `ip` alone (ip.c usage(); stderr, exit 255). */
export const IP_USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
`;

/** `ip address help` (ipaddress.c usage(), ending with iplink_types_usage(); stderr, exit 255). */
export const ADDRESS_USAGE = `Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME [mngtmpaddr]
       ip address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ] ]
       ip address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
TYPE := { amt | bareudp | bond | bond_slave | bridge | bridge_slave |
          dsa | dummy | erspan | geneve | gre | gretap | gtp | ifb |
          ip6erspan | ip6gre | ip6gretap | ip6tnl |
          ipip | ipoib | ipvlan | ipvtap |
          macsec | macvlan | macvtap |
          netdevsim | nlmon | rmnet | sit | team | team_slave |
          vcan | veth | vlan | vrf | vti | vxcan | vxlan | wwan |
          xfrm | virt_wifi }
`;

/** `ip link help` (iplink_usage(); stderr, exit 255). */
export const LINK_USAGE = `Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ] [index IDX ]
		    [ numtxqueues QUEUE_COUNT ]
		    [ numrxqueues QUEUE_COUNT ]
		    [ netns { PID | NAME } ]
		    type TYPE [ ARGS ]

	ip link delete { DEVICE | dev DEVICE | group DEVGROUP } type TYPE [ ARGS ]

	ip link set { DEVICE | dev DEVICE | group DEVGROUP }
			[ { up | down } ]
			[ type TYPE ARGS ]
		[ arp { on | off } ]
		[ dynamic { on | off } ]
		[ multicast { on | off } ]
		[ allmulticast { on | off } ]
		[ promisc { on | off } ]
		[ trailers { on | off } ]
		[ carrier { on | off } ]
		[ txqueuelen PACKETS ]
		[ name NEWNAME ]
		[ address LLADDR ]
		[ broadcast LLADDR ]
		[ mtu MTU ]
		[ netns { PID | NAME } ]
		[ link-netns NAME | link-netnsid ID ]
		[ alias NAME ]
		[ vf NUM [ mac LLADDR ]
			 [ vlan VLANID [ qos VLAN-QOS ] [ proto VLAN-PROTO ] ]
			 [ rate TXRATE ]
			 [ max_tx_rate TXRATE ]
			 [ min_tx_rate TXRATE ]
			 [ spoofchk { on | off} ]
			 [ query_rss { on | off} ]
			 [ state { auto | enable | disable} ]
			 [ trust { on | off} ]
			 [ node_guid EUI64 ]
			 [ port_guid EUI64 ] ]
		[ { xdp | xdpgeneric | xdpdrv | xdpoffload } { off |
			  object FILE [ { section | program } NAME ] [ verbose ] |
			  pinned FILE } ]
		[ master DEVICE ][ vrf NAME ]
		[ nomaster ]
		[ addrgenmode { eui64 | none | stable_secret | random } ]
		[ protodown { on | off } ]
		[ protodown_reason PREASON { on | off } ]
		[ gso_max_size BYTES ] | [ gso_max_segs PACKETS ]
		[ gro_max_size BYTES ]

	ip link show [ DEVICE | group GROUP ] [up] [master DEV] [vrf NAME] [type TYPE]
		[nomaster]

	ip link xstats type TYPE [ ARGS ]

	ip link afstats [ dev DEVICE ]
	ip link property add dev DEVICE [ altname NAME .. ]
	ip link property del dev DEVICE [ altname NAME .. ]

	ip link help [ TYPE ]

TYPE := { amt | bareudp | bond | bond_slave | bridge | bridge_slave |
          dsa | dummy | erspan | geneve | gre | gretap | gtp | ifb |
          ip6erspan | ip6gre | ip6gretap | ip6tnl |
          ipip | ipoib | ipvlan | ipvtap |
          macsec | macvlan | macvtap |
          netdevsim | nlmon | rmnet | sit | team | team_slave |
          vcan | veth | vlan | vrf | vti | vxcan | vxlan | wwan |
          xfrm | virt_wifi }
`;

/** `ip route help` (iproute.c usage(); stderr, exit 255). */
export const ROUTE_USAGE = `Usage: ip route { list | flush } SELECTOR
       ip route save SELECTOR
       ip route restore
       ip route showdump
       ip route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ] [ vrf NAME ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
             [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 | mpls | bridge | link ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn
ENCAPTYPE := [ mpls | ip | ip6 | seg6 | seg6local | rpl | ioam6 | xfrm ]
ENCAPHDR := [ MPLSLABEL | SEG6HDR | SEG6LOCAL | IOAM6HDR | XFRMINFO ]
SEG6HDR := [ mode SEGMODE ] segs ADDR1,ADDRi,ADDRn [hmac HMACKEYID] [cleanup]
SEGMODE := [ encap | encap.red | inline | l2encap | l2encap.red ]
SEG6LOCAL := action ACTION [ OPTIONS ] [ count ]
ACTION := { End | End.X | End.T | End.DX2 | End.DX6 | End.DX4 |
            End.DT6 | End.DT4 | End.DT46 | End.B6 | End.B6.Encaps |
            End.BM | End.S | End.AS | End.AM | End.BPF }
OPTIONS := OPTION [ OPTIONS ]
OPTION := { flavors FLAVORS | srh SEG6HDR | nh4 ADDR | nh6 ADDR | iif DEV | oif DEV |
            table TABLEID | vrftable TABLEID | endpoint PROGNAME }
FLAVORS := { FLAVOR[,FLAVOR] }
FLAVOR := { psp | usp | usd | next-csid }
IOAM6HDR := trace prealloc type IOAM6_TRACE_TYPE ns IOAM6_NAMESPACE size IOAM6_TRACE_SIZE
XFRMINFO := if_id IF_ID [ link_dev LINK ]
ROUTE_GET_FLAGS := [ fibmatch ]
`;

/** `ip neigh help` (ipneigh.c usage(); stderr, exit 255). */
export const NEIGH_USAGE = `Usage: ip neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
                [ protocol PROTO ]

	ip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
				  [ vrf NAME ] [ nomaster ]
	ip neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }
`;

/** `ip rule help` (iprule.c usage(); stderr, exit 255). */
export const RULE_USAGE = `Usage: ip rule { add | del } SELECTOR ACTION
       ip rule { flush | save | restore }
       ip rule [ list [ SELECTOR ]]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ]
            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ l3mdev ]
            [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ]
            [ sport [ NUMBER | NUMBER-NUMBER ]
            [ dport [ NUMBER | NUMBER-NUMBER ] ]
ACTION := [ table TABLE_ID ]
          [ protocol PROTO ]
          [ nat ADDRESS ]
          [ realms [SRCREALM/]DSTREALM ]
          [ goto NUMBER ]
          SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ]
              [ suppress_ifgroup DEVGROUP ]
TABLE_ID := [ local | main | default | NUMBER ]
`;

/** `ip netns help` (ipnetns.c usage(); stderr, exit 255). */
export const NETNS_USAGE = `Usage:	ip netns list
	ip netns add NAME
	ip netns attach NAME PID
	ip netns set NAME NETNSID
	ip [-all] netns delete [NAME]
	ip netns identify [PID]
	ip netns pids NAME
	ip [-all] netns exec [NAME] cmd ...
	ip netns monitor
	ip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT
`;

/** `ip monitor help` (ipmonitor.c usage(); stderr, exit 255). */
export const MONITOR_USAGE = `Usage: ip monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]
                  [ dev DEVICE ]
OBJECTS :=  address | link | mroute | neigh | netconf |
            nexthop | nsid | prefix | route | rule | stats
FILE := file FILENAME
`;

/** `ip tuntap help` (iptuntap.c usage(); stderr, exit 255). */
export const TUNTAP_USAGE = `Usage: ip tuntap { add | del | show | list | lst | help } [ dev PHYS_DEV ]
       [ mode { tun | tap } ] [ user USER ] [ group GROUP ]
       [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ] [ name NAME ]

Where: USER  := { STRING | NUMBER }
       GROUP := { STRING | NUMBER }
`;

/** `ip link help TYPE` for every kind of iplink_types_usage() (each link_util's print_help(); stdout, exit 0). */
export const KIND_USAGE = {
  amt: `Usage: ... amt
               [ discovery IP_ADDRESS ]
               [ mode MODE ]
               [ local ADDR ]
               [ dev PHYS_DEV ]
               [ relay_port PORT ]
               [ gateway_port PORT ]
               [ max_tunnels NUMBER ]

Where: ADDR	:= { IP_ADDRESS }
       MODE	:= { gateway | relay }
`,
  bareudp: `Usage: ... bareudp dstport PORT
		ethertype PROTO
		[ srcportmin PORT ]
		[ [no]multiproto ]

Where:	PORT  := UDP_PORT
	PROTO := ETHERTYPE

Note: ETHERTYPE can be given as number or as protocol name ("ipv4", "ipv6",
      "mpls_uc", etc.).
`,
  batadv: `Usage: ... batadv [ ra ROUTING_ALG ]

Where: ROUTING_ALG := { BATMAN_IV | BATMAN_V }
`,
  bond: `Usage: ... bond [ mode BONDMODE ] [ active_slave SLAVE_DEV ]
                [ clear_active_slave ] [ miimon MIIMON ]
                [ updelay UPDELAY ] [ downdelay DOWNDELAY ]
                [ peer_notify_delay DELAY ]
                [ use_carrier USE_CARRIER ]
                [ arp_interval ARP_INTERVAL ]
                [ arp_validate ARP_VALIDATE ]
                [ arp_all_targets ARP_ALL_TARGETS ]
                [ arp_ip_target [ ARP_IP_TARGET, ... ] ]
                [ ns_ip6_target [ NS_IP6_TARGET, ... ] ]
                [ primary SLAVE_DEV ]
                [ primary_reselect PRIMARY_RESELECT ]
                [ fail_over_mac FAIL_OVER_MAC ]
                [ xmit_hash_policy XMIT_HASH_POLICY ]
                [ resend_igmp RESEND_IGMP ]
                [ num_grat_arp|num_unsol_na NUM_GRAT_ARP|NUM_UNSOL_NA ]
                [ all_slaves_active ALL_SLAVES_ACTIVE ]
                [ min_links MIN_LINKS ]
                [ lp_interval LP_INTERVAL ]
                [ packets_per_slave PACKETS_PER_SLAVE ]
                [ tlb_dynamic_lb TLB_DYNAMIC_LB ]
                [ lacp_rate LACP_RATE ]
                [ lacp_active LACP_ACTIVE]
                [ ad_select AD_SELECT ]
                [ ad_user_port_key PORTKEY ]
                [ ad_actor_sys_prio SYSPRIO ]
                [ ad_actor_system LLADDR ]
                [ arp_missed_max MISSED_MAX ]

BONDMODE := balance-rr|active-backup|balance-xor|broadcast|802.3ad|balance-tlb|balance-alb
ARP_VALIDATE := none|active|backup|all|filter|filter_active|filter_backup
ARP_ALL_TARGETS := any|all
PRIMARY_RESELECT := always|better|failure
FAIL_OVER_MAC := none|active|follow
XMIT_HASH_POLICY := layer2|layer2+3|layer3+4|encap2+3|encap3+4|vlan+srcmac
LACP_ACTIVE := off|on
LACP_RATE := slow|fast
AD_SELECT := stable|bandwidth|count
`,
  bond_slave: `Usage: ... bond_slave [ queue_id ID ] [ prio PRIORITY ]
`,
  bridge: `Usage: ... bridge [ fdb_flush ]
		  [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ group_fwd_mask MASK ]
		  [ group_address ADDRESS ]
		  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]
		  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]
		  [ mcast_snooping MULTICAST_SNOOPING ]
		  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]
		  [ mcast_router MULTICAST_ROUTER ]
		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]
		  [ mcast_querier MULTICAST_QUERIER ]
		  [ mcast_hash_elasticity HASH_ELASTICITY ]
		  [ mcast_hash_max HASH_MAX ]
		  [ mcast_last_member_count LAST_MEMBER_COUNT ]
		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
		  [ mcast_querier_interval QUERIER_INTERVAL ]
		  [ mcast_query_interval QUERY_INTERVAL ]
		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]
		  [ mcast_igmp_version IGMP_VERSION ]
		  [ mcast_mld_version MLD_VERSION ]
		  [ nf_call_iptables NF_CALL_IPTABLES ]
		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]
		  [ nf_call_arptables NF_CALL_ARPTABLES ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }
`,
  bridge_slave: `Usage: ... bridge_slave [ fdb_flush ]
			[ state STATE ]
			[ priority PRIO ]
			[ cost COST ]
			[ guard {on | off} ]
			[ hairpin {on | off} ]
			[ fastleave {on | off} ]
			[ root_block {on | off} ]
			[ learning {on | off} ]
			[ flood {on | off} ]
			[ proxy_arp {on | off} ]
			[ proxy_arp_wifi {on | off} ]
			[ mcast_router MULTICAST_ROUTER ]
			[ mcast_fast_leave {on | off} ]
			[ mcast_flood {on | off} ]
			[ bcast_flood {on | off} ]
			[ mcast_to_unicast {on | off} ]
			[ group_fwd_mask MASK ]
			[ neigh_suppress {on | off} ]
			[ vlan_tunnel {on | off} ]
			[ isolated {on | off} ]
			[ locked {on | off} ]
			[ backup_port DEVICE ] [ nobackup_port ]
`,
  can: `Usage: ip link set DEVICE type can
	[ bitrate BITRATE [ sample-point SAMPLE-POINT] ] |
	[ tq TQ prop-seg PROP_SEG phase-seg1 PHASE-SEG1
 	  phase-seg2 PHASE-SEG2 [ sjw SJW ] ]

	[ dbitrate BITRATE [ dsample-point SAMPLE-POINT] ] |
	[ dtq TQ dprop-seg PROP_SEG dphase-seg1 PHASE-SEG1
 	  dphase-seg2 PHASE-SEG2 [ dsjw SJW ] ]
	[ tdcv TDCV tdco TDCO tdcf TDCF ]

	[ loopback { on | off } ]
	[ listen-only { on | off } ]
	[ triple-sampling { on | off } ]
	[ one-shot { on | off } ]
	[ berr-reporting { on | off } ]
	[ fd { on | off } ]
	[ fd-non-iso { on | off } ]
	[ presume-ack { on | off } ]
	[ cc-len8-dlc { on | off } ]
	[ tdc-mode { auto | manual | off } ]

	[ restart-ms TIME-MS ]
	[ restart ]

	[ termination { 0..65535 } ]

	Where: BITRATE	:= { NUMBER in bps }
		  SAMPLE-POINT	:= { 0.000..0.999 }
		  TQ		:= { NUMBER in ns }
		  PROP-SEG	:= { NUMBER in tq }
		  PHASE-SEG1	:= { NUMBER in tq }
		  PHASE-SEG2	:= { NUMBER in tq }
		  SJW		:= { NUMBER in tq }
		  TDCV		:= { NUMBER in tc }
		  TDCO		:= { NUMBER in tc }
		  TDCF		:= { NUMBER in tc }
		  RESTART-MS	:= { 0 | NUMBER in ms }
`,
  dsa: `Usage: ... dsa [ conduit DEVICE ]
`,
  dummy: `Usage: ... dummy
`,
  erspan: `Usage: ... erspan   	[ remote ADDR ]
			[ local ADDR ]
			[ [no][i|o]seq ]
			[ [i|o]key KEY | no[i|o]key ]
			[ [no][i|o]csum ]
			[ ttl TTL ]
			[ tos TOS ]
			[ [no]pmtudisc ]
			[ [no]ignore-df ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ erspan_ver version ]
			[ erspan IDX ]
			[ erspan_dir { ingress | egress } ]
			[ erspan_hwid hwid ]

Where:	ADDR := { IP_ADDRESS | any }
	TOS  := { NUMBER | inherit }
	TTL  := { 1..255 | inherit }
	KEY  := { DOTTED_QUAD | NUMBER }
	MARK := { 0x0..0xffffffff }
`,
  geneve: `Usage: ... geneve id VNI
		remote ADDR
		[ ttl TTL ]
		[ tos TOS ]
		[ df DF ]
		[ flowlabel LABEL ]
		[ dstport PORT ]
		[ [no]external ]
		[ [no]udpcsum ]
		[ [no]udp6zerocsumtx ]
		[ [no]udp6zerocsumrx ]
		[ innerprotoinherit ]

Where:	VNI   := 0-16777215
	ADDR  := IP_ADDRESS
	TOS   := { NUMBER | inherit }
	TTL   := { 1..255 | auto | inherit }
	DF    := { unset | set | inherit }
	LABEL := 0-1048575
`,
  gre: `Usage: ... gre      	[ remote ADDR ]
			[ local ADDR ]
			[ [no][i|o]seq ]
			[ [i|o]key KEY | no[i|o]key ]
			[ [no][i|o]csum ]
			[ ttl TTL ]
			[ tos TOS ]
			[ [no]pmtudisc ]
			[ [no]ignore-df ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]

Where:	ADDR := { IP_ADDRESS | any }
	TOS  := { NUMBER | inherit }
	TTL  := { 1..255 | inherit }
	KEY  := { DOTTED_QUAD | NUMBER }
	MARK := { 0x0..0xffffffff }
`,
  gretap: `Usage: ... gretap   	[ remote ADDR ]
			[ local ADDR ]
			[ [no][i|o]seq ]
			[ [i|o]key KEY | no[i|o]key ]
			[ [no][i|o]csum ]
			[ ttl TTL ]
			[ tos TOS ]
			[ [no]pmtudisc ]
			[ [no]ignore-df ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]

Where:	ADDR := { IP_ADDRESS | any }
	TOS  := { NUMBER | inherit }
	TTL  := { 1..255 | inherit }
	KEY  := { DOTTED_QUAD | NUMBER }
	MARK := { 0x0..0xffffffff }
`,
  gtp: `Usage: ... gtp role ROLE
		[ hsize HSIZE ]
		[ restart_count RESTART_COUNT ]

Where:	ROLE		:= { sgsn | ggsn }
	HSIZE		:= 1-131071
	RESTART_COUNT	:= 0-255
`,
  hsr: `Usage:	ip link add name NAME type hsr slave1 SLAVE1-IF slave2 SLAVE2-IF
	[ supervision ADDR-BYTE ] [version VERSION] [proto PROTOCOL]

NAME
	name of new hsr device (e.g. hsr0)
SLAVE1-IF, SLAVE2-IF
	the two slave devices bound to the HSR device
ADDR-BYTE
	0-255; the last byte of the multicast address used for HSR supervision
	frames (default = 0)
VERSION
	0,1; the protocol version to be used. (default = 0)
PROTOCOL
	0 - HSR, 1 - PRP. (default = 0 - HSR)
`,
  ifb: `Usage: ... ifb
`,
  ip6erspan: `Usage: ... ip6erspan	[ remote ADDR ]
			[ local ADDR ]
			[ [no][i|o]seq ]
			[ [i|o]key KEY | no[i|o]key ]
			[ [no][i|o]csum ]
			[ hoplimit TTL ]
			[ encaplimit ELIM ]
			[ tclass TCLASS ]
			[ flowlabel FLOWLABEL ]
			[ dscp inherit ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ [no]allow-localremote ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ erspan_ver version ]
			[ erspan IDX ]
			[ erspan_dir { ingress | egress } ]
			[ erspan_hwid hwid ]

Where:	ADDR	  := IPV6_ADDRESS
	TTL	  := { 0..255 } (default=64)
	KEY	  := { DOTTED_QUAD | NUMBER }
	ELIM	  := { none | 0..255 }(default=4)
	TCLASS	  := { 0x0..0xff | inherit }
	FLOWLABEL := { 0x0..0xfffff | inherit }
	MARK	  := { 0x0..0xffffffff | inherit }
`,
  ip6gre: `Usage: ... ip6gre   	[ remote ADDR ]
			[ local ADDR ]
			[ [no][i|o]seq ]
			[ [i|o]key KEY | no[i|o]key ]
			[ [no][i|o]csum ]
			[ hoplimit TTL ]
			[ encaplimit ELIM ]
			[ tclass TCLASS ]
			[ flowlabel FLOWLABEL ]
			[ dscp inherit ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ [no]allow-localremote ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ erspan_ver version ]
			[ erspan IDX ]
			[ erspan_dir { ingress | egress } ]
			[ erspan_hwid hwid ]

Where:	ADDR	  := IPV6_ADDRESS
	TTL	  := { 0..255 } (default=64)
	KEY	  := { DOTTED_QUAD | NUMBER }
	ELIM	  := { none | 0..255 }(default=4)
	TCLASS	  := { 0x0..0xff | inherit }
	FLOWLABEL := { 0x0..0xfffff | inherit }
	MARK	  := { 0x0..0xffffffff | inherit }
`,
  ip6gretap: `Usage: ... ip6gretap	[ remote ADDR ]
			[ local ADDR ]
			[ [no][i|o]seq ]
			[ [i|o]key KEY | no[i|o]key ]
			[ [no][i|o]csum ]
			[ hoplimit TTL ]
			[ encaplimit ELIM ]
			[ tclass TCLASS ]
			[ flowlabel FLOWLABEL ]
			[ dscp inherit ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ [no]allow-localremote ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ erspan_ver version ]
			[ erspan IDX ]
			[ erspan_dir { ingress | egress } ]
			[ erspan_hwid hwid ]

Where:	ADDR	  := IPV6_ADDRESS
	TTL	  := { 0..255 } (default=64)
	KEY	  := { DOTTED_QUAD | NUMBER }
	ELIM	  := { none | 0..255 }(default=4)
	TCLASS	  := { 0x0..0xff | inherit }
	FLOWLABEL := { 0x0..0xfffff | inherit }
	MARK	  := { 0x0..0xffffffff | inherit }
`,
  ip6tnl: `Usage: ... ip6tnl	[ remote ADDR ]
			[ local ADDR ]
			[ encaplimit ELIM ]
			[ hoplimit HLIM ]
			[ tclass TCLASS ]
			[ flowlabel FLOWLABEL ]
			[ dscp inherit ]
			[ [no]allow-localremote ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ mode { ip6ip6 | ipip6 | any } ]

Where:	ADDR	  := IPV6_ADDRESS
	ELIM	  := { none | 0..255 }(default=4)
	HLIM	  := 0..255 (default=64)
	TCLASS    := { 0x0..0xff | inherit }
	FLOWLABEL := { 0x0..0xfffff | inherit }
	MARK	  := { 0x0..0xffffffff | inherit }
`,
  ipip: `Usage: ... ipip  	[ remote ADDR ]
			[ local ADDR ]
			[ ttl TTL ]
			[ tos TOS ]
			[ [no]pmtudisc ]
			[ 6rd-prefix ADDR ]
			[ 6rd-relay_prefix ADDR ]
			[ 6rd-reset ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ mode { ipip | mplsip | any } ]

Where:	ADDR := { IP_ADDRESS | any }
	TOS  := { NUMBER | inherit }
	TTL  := { 1..255 | inherit }
	MARK := { 0x0..0xffffffff }
`,
  ipoib: `Usage: ... ipoib [ pkey PKEY ]
		 [ mode {datagram | connected} ]
		 [ umcast {0|1} ]

PKEY  := 0x8001-0xffff
`,
  ipvlan: `Usage: ... ipvlan [ mode MODE ] [ FLAGS ]

MODE: l3 | l3s | l2
FLAGS: bridge | private | vepa
(first values are the defaults if nothing is specified).
`,
  ipvtap: `Usage: ... ipvtap [ mode MODE ] [ FLAGS ]

MODE: l3 | l3s | l2
FLAGS: bridge | private | vepa
(first values are the defaults if nothing is specified).
`,
  macsec: `Usage: ... macsec [ [ address <lladdr> ] port { 1..2^16-1 } | sci <u64> ]
                  [ cipher { default | gcm-aes-128 | gcm-aes-256 | gcm-aes-xpn-128 | gcm-aes-xpn-256 } ]
                  [ icvlen { 8..16 } ]
                  [ encrypt { on | off } ]
                  [ send_sci { on | off } ]
                  [ end_station { on | off } ]
                  [ scb { on | off } ]
                  [ protect { on | off } ]
                  [ replay { on | off} window { 0..2^32-1 } ]
                  [ validate { strict | check | disabled } ]
                  [ encodingsa { 0..3 } ]
                  [ offload { mac | phy | off } ]
`,
  macvlan: `Usage: ... macvlan mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
MODE_OPTS: for mode "source":
	macaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]
`,
  macvtap: `Usage: ... macvtap mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
MODE_OPTS: for mode "source":
	macaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]
`,
  netdevsim: `Usage: ... netdevsim
`,
  nlmon: `Usage: ... nlmon
`,
  rmnet: `Usage: ... rmnet mux_id MUXID

MUXID := 1-254
`,
  sit: `Usage: ... sit   	[ remote ADDR ]
			[ local ADDR ]
			[ ttl TTL ]
			[ tos TOS ]
			[ [no]pmtudisc ]
			[ 6rd-prefix ADDR ]
			[ 6rd-relay_prefix ADDR ]
			[ 6rd-reset ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ mode { ip6ip | ipip | mplsip | any } ]
			[ isatap ]

Where:	ADDR := { IP_ADDRESS | any }
	TOS  := { NUMBER | inherit }
	TTL  := { 1..255 | inherit }
	MARK := { 0x0..0xffffffff }
`,
  team: `Usage: ... team
`,
  team_slave: `Usage: ... team_slave
`,
  vcan: `Usage: ... vcan
`,
  veth: `Usage: ip link <options> type veth [peer <options>]
To get <options> type 'ip link add help'
`,
  virt_wifi: `Usage: ... virt_wifi 
`,
  vlan: `Usage: ... vlan id VLANID
		[ protocol VLANPROTO ]
		[ reorder_hdr { on | off } ]
		[ gvrp { on | off } ]
		[ mvrp { on | off } ]
		[ loose_binding { on | off } ]
		[ bridge_binding { on | off } ]
		[ ingress-qos-map QOS-MAP ]
		[ egress-qos-map QOS-MAP ]

VLANID := 0-4095
VLANPROTO: [ 802.1Q | 802.1ad ]
QOS-MAP := [ QOS-MAP ] QOS-MAPPING
QOS-MAPPING := FROM:TO
`,
  vrf: `Usage: ... vrf table TABLEID
`,
  vti: `Usage: ... vti 	[ remote ADDR ]
		[ local ADDR ]
		[ [i|o]key KEY ]
		[ dev PHYS_DEV ]
		[ fwmark MARK ]

Where:	ADDR := { IP_ADDRESS }
	KEY  := { DOTTED_QUAD | NUMBER }
	MARK := { 0x0..0xffffffff }
`,
  vti6: `Usage: ... vti6	[ remote ADDR ]
		[ local ADDR ]
		[ [i|o]key KEY ]
		[ dev PHYS_DEV ]
		[ fwmark MARK ]

Where:	ADDR := { IPV6_ADDRESS }
	KEY  := { DOTTED_QUAD | NUMBER }
	MARK := { 0x0..0xffffffff }
`,
  vxcan: `Usage: ip link <options> type vxcan [peer <options>]
To get <options> type 'ip link add help'
`,
  vxlan: `Usage: ... vxlan id VNI
		[ { group | remote } IP_ADDRESS ]
		[ local ADDR ]
		[ ttl TTL ]
		[ tos TOS ]
		[ df DF ]
		[ flowlabel LABEL ]
		[ dev PHYS_DEV ]
		[ dstport PORT ]
		[ srcport MIN MAX ]
		[ [no]learning ]
		[ [no]proxy ]
		[ [no]rsc ]
		[ [no]l2miss ]
		[ [no]l3miss ]
		[ ageing SECONDS ]
		[ maxaddress NUMBER ]
		[ [no]udpcsum ]
		[ [no]udp6zerocsumtx ]
		[ [no]udp6zerocsumrx ]
		[ [no]remcsumtx ] [ [no]remcsumrx ]
		[ [no]external ] [ gbp ] [ gpe ]
		[ [no]vnifilter ]

Where:	VNI	:= 0-16777215
	ADDR	:= { IP_ADDRESS | any }
	TOS	:= { NUMBER | inherit }
	TTL	:= { 1..255 | auto | inherit }
	DF	:= { unset | set | inherit }
	LABEL := 0-1048575
`,
  wwan: `Usage: ... wwan linkid LINKID

Where: LINKID := 0-4294967295
`,
  xfrm: `Usage: ... xfrm dev [ PHYS_DEV ] [ if_id IF-ID ]
		[ external ]

Where: IF-ID := { 0x1..0xffffffff }
`,
} as const;

/** The kinds whose options nlkit reads print these when asked for help or given a word they do not know. */
export const VETH_USAGE = KIND_USAGE.veth;
export const VXLAN_USAGE = KIND_USAGE.vxlan;
export const BRIDGE_USAGE = KIND_USAGE.bridge;
export const MACVLAN_USAGE = KIND_USAGE.macvlan;
export const MACVTAP_USAGE = KIND_USAGE.macvtap;
export const VLAN_USAGE = KIND_USAGE.vlan;
