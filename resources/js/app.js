console.log('athera')
