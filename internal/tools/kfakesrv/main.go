// Command kfakesrv runs an in-memory Kafka-protocol broker cluster
// (franz-go's kfake) on loopback, for local runs and end-to-end tests of
// distributed mode without a real Kafka:
//
//	go run ./internal/tools/kfakesrv -brokers 3 -addr-file /tmp/kafka.addrs &
//	export DESTILL_KAFKA_BROKERS=$(cat /tmp/kafka.addrs)
//
// It prints the broker addresses when ready and stops on SIGINT or SIGTERM.
// Everything it holds is in memory and lost when it stops.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	brokers := flag.Int("brokers", 3, "number of brokers (each on a free 127.0.0.1 port)")
	ports := flag.String("ports", "", "comma-separated 127.0.0.1 ports, one broker each (overrides -brokers)")
	partitions := flag.Int("partitions", 6, "partitions of auto-created topics")
	addrFile := flag.String("addr-file", "", "write the broker list to this file once ready")
	flag.Parse()

	opts := []kfake.Opt{
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(*partitions),
		kfake.GroupMinSessionTimeout(500 * time.Millisecond),
	}
	if *ports != "" {
		var ps []int
		for _, p := range strings.Split(*ports, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				log.Fatalf("kfakesrv: bad port %q", p)
			}
			ps = append(ps, n)
		}
		opts = append(opts, kfake.Ports(ps...))
	} else {
		opts = append(opts, kfake.NumBrokers(*brokers))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		log.Fatalf("kfakesrv: %v", err)
	}
	addrs := strings.Join(c.ListenAddrs(), ",")
	fmt.Println(addrs)
	if *addrFile != "" {
		tmp := *addrFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(addrs+"\n"), 0o644); err != nil {
			log.Fatalf("kfakesrv: %v", err)
		}
		if err := os.Rename(tmp, *addrFile); err != nil {
			log.Fatalf("kfakesrv: %v", err)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	c.Close()
}
